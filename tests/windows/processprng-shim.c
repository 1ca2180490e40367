/* bcryptprimitives.dll for Wine 8, which lacks it. FOR TESTS ONLY: never shipped.
 *
 * Rust's standard library gets random bytes (HashMap seeds) from ProcessPrng in bcryptprimitives.dll,
 * which Windows 10 and later have and Wine 8 does not. This exports ProcessPrng and fills the buffer
 * from RtlGenRandom (advapi32's SystemFunction036), in chunks that fit its ULONG length.
 * Built by scripts/windows.sh: x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll THIS -ladvapi32 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}

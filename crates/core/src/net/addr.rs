//! Listen-address policy: loopback by default, anything else only when asked for explicitly.

use std::net::{SocketAddr, ToSocketAddrs};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AddrError {
    #[error("'{0}' is not an address:port (example: 127.0.0.1:9876)")]
    Invalid(String),
    #[error(
        "'{0}' is not a loopback address; the stream is unauthenticated and unencrypted, so listening on a \
         network needs --allow-remote"
    )]
    NotLoopback(String),
}

/// Parses a listen address and refuses non-loopback ones unless `allow_remote`.
pub fn check_listen_addr(addr: &str, allow_remote: bool) -> Result<SocketAddr, AddrError> {
    let parsed: SocketAddr = match addr.parse() {
        Ok(a) => a,
        Err(_) => addr
            .to_socket_addrs()
            .ok()
            .and_then(|mut it| it.next())
            .ok_or_else(|| AddrError::Invalid(addr.to_owned()))?,
    };
    if !parsed.ip().is_loopback() && !allow_remote {
        return Err(AddrError::NotLoopback(addr.to_owned()));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_only_by_default() {
        assert!(check_listen_addr("127.0.0.1:9876", false).is_ok());
        assert!(check_listen_addr("[::1]:9876", false).is_ok());
        assert_eq!(
            check_listen_addr("0.0.0.0:9876", false),
            Err(AddrError::NotLoopback("0.0.0.0:9876".into()))
        );
        assert!(check_listen_addr("0.0.0.0:9876", true).is_ok());
        assert!(matches!(
            check_listen_addr("nonsense", false),
            Err(AddrError::Invalid(_))
        ));
    }
}

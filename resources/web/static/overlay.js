/* bar-live overlay pages: shared code (no dependencies, ES2017, Chromium 100+ / OBS browser source).
 *
 * window.BL offers:
 *   BL.METRICS, BL.METRIC_KEYS      metric keys with labels and kinds
 *   BL.params(defaults)             URL parameters, validated (bad values fall back to defaults)
 *   BL.fmt(v), BL.fmtMetric(key, v) human numbers: 12.5, 1.2k, 15k, 1.2M; "–" for null
 *   BL.History                      rolling history per team / ally team and metric
 *   BL.drawLines(canvas, opts)      sparklines and graphs on a <canvas>
 *   BL.setValue(el, v, text)        update a value element (text + data-value) only when it changed
 *   BL.fit(root, opts)              scale the page to the browser source size
 *   BL.start(opts)                  connect (WebSocket, reconnect with backoff), feed the page; shows the
 *                                   "DELAYED m:ss" badge (.bl-delayed-badge) while messages carry delayed_everything_s
 *   BL.delayedText(s)               'DELAYED 2:00' for 120 s (the app's tournament switch)
 *   BL.ROLES, BL.roleValue, BL.rolesBlock   army value by role ("Army" / "Defence"; roles=1 on team, allies)
 * Pages: team.html, allies.html, graph.html, ahead.html, build.html. Docs: docs/OVERLAY.md.
 */
(function () {
  'use strict';

  const BL = (window.BL = window.BL || {});
  BL.API_VERSION = 1;
  BL.DEFAULT_PORT = 9877;

  // ---------------------------------------------------------------- metrics
  // kind: rate (per second), level (amount now), counter (running total)
  const M = [
    ['metal_current', 'Metal stored', 'Metal', 'level'],
    ['metal_storage', 'Metal storage', 'M.stor', 'level'],
    ['metal_income', 'Metal income', 'Metal/s', 'rate', '+'],
    ['metal_expense', 'Metal expense', 'M.exp/s', 'rate', '\u2212'],
    ['metal_pull', 'Metal pull', 'M.pull/s', 'rate', '\u2212'],
    ['metal_sent', 'Metal sent', 'M.sent/s', 'rate', '\u2212'],
    ['metal_received', 'Metal received', 'M.recv/s', 'rate', '+'],
    ['metal_excess', 'Metal excess', 'M.exc/s', 'rate'],
    ['energy_current', 'Energy stored', 'Energy', 'level'],
    ['energy_storage', 'Energy storage', 'E.stor', 'level'],
    ['energy_income', 'Energy income', 'Energy/s', 'rate', '+'],
    ['energy_expense', 'Energy expense', 'E.exp/s', 'rate', '\u2212'],
    ['energy_pull', 'Energy pull', 'E.pull/s', 'rate', '\u2212'],
    ['energy_sent', 'Energy sent', 'E.sent/s', 'rate', '\u2212'],
    ['energy_received', 'Energy received', 'E.recv/s', 'rate', '+'],
    ['energy_excess', 'Energy excess', 'E.exc/s', 'rate'],
    ['units', 'Units', 'Units', 'level'],
    ['army_value', 'Army value', 'Army', 'level'],
    ['damage_dealt', 'Damage dealt', 'Dmg out', 'counter'],
    ['damage_received', 'Damage received', 'Dmg in', 'counter'],
    ['units_killed', 'Units killed', 'Kills', 'counter'],
    ['units_died', 'Units lost', 'Lost', 'counter'],
    ['units_produced', 'Units produced', 'Built', 'counter'],
    ['metal_produced', 'Metal produced', 'M.prod', 'counter'],
    ['energy_produced', 'Energy produced', 'E.prod', 'counter'],
  ];
  BL.METRICS = {};
  BL.METRIC_KEYS = [];
  for (const [key, label, short, kind, sign] of M) {
    BL.METRICS[key] = { key, label, short, kind, sign: sign || '' };
    BL.METRIC_KEYS.push(key);
  }
  BL.label = (key) => (BL.METRICS[key] ? BL.METRICS[key].label : key);
  BL.shortLabel = (key) => (BL.METRICS[key] ? BL.METRICS[key].short : key);

  // ---------------------------------------------------------------- numbers
  function trim0(s) {
    return s.indexOf('.') >= 0 ? s.replace(/\.?0+$/, '') : s;
  }
  /** 0.4, 12.5, 250, 1.2k, 15k, 250k, 1.2M, 15M; '–' for null / not finite. */
  BL.fmt = function (v) {
    if (v === null || v === undefined || typeof v !== 'number' || !isFinite(v)) return '\u2013';
    const a = Math.abs(v);
    const neg = v < 0 ? '\u2212' : '';
    let s;
    if (a < 100) s = trim0(a.toFixed(1));
    else if (a < 999.5) s = a.toFixed(0);
    else if (a < 9.95e3) s = trim0((a / 1e3).toFixed(1)) + 'k';
    else if (a < 999.5e3) s = (a / 1e3).toFixed(0) + 'k';
    else if (a < 9.95e6) s = trim0((a / 1e6).toFixed(1)) + 'M';
    else if (a < 999.5e6) s = (a / 1e6).toFixed(0) + 'M';
    else s = trim0((a / 1e9).toFixed(1)) + 'G';
    if (s === '0') return '0';
    return neg + s;
  };
  /** A metric value with its unit: '+12.5/s' for income, '3.4k' for army value, '–' for null. */
  BL.fmtMetric = function (key, v, opts) {
    const s = BL.fmt(v);
    if (s === '\u2013') return s;
    const m = BL.METRICS[key];
    if (!m || m.kind !== 'rate') return s;
    const plain = opts && opts.plain;
    const sign = plain || v < 0 ? '' : m.sign;
    return sign + s + (plain ? '' : '/s');
  };
  /** Game time as m:ss (or h:mm:ss). */
  BL.fmtTime = function (s) {
    if (typeof s !== 'number' || !isFinite(s)) return '';
    s = Math.max(0, Math.floor(s));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    const p2 = (x) => (x < 10 ? '0' : '') + x;
    return h ? h + ':' + p2(m) + ':' + p2(sec) : m + ':' + p2(sec);
  };
  /** The tournament badge's text: 'DELAYED 2:00' for 120 s (whole seconds, rounded; minutes past 59 kept). */
  BL.delayedText = function (s) {
    const t = Math.max(0, Math.round(s));
    const sec = t % 60;
    return 'DELAYED ' + Math.floor(t / 60) + ':' + (sec < 10 ? '0' : '') + sec;
  };
  BL.num = (v) => (typeof v === 'number' && isFinite(v) ? v : null);

  // ---------------------------------------------------------------- parameters
  function numIn(s, lo, hi) {
    if (s === null || s === undefined || s.trim() === '') return null;
    const n = Number(s);
    if (!isFinite(n)) return null;
    return Math.min(hi, Math.max(lo, n));
  }
  function idList(s) {
    if (!s) return null;
    const out = [];
    for (const part of s.split(',')) {
      const p = part.trim();
      if (/^\d+$/.test(p)) {
        const n = parseInt(p, 10);
        if (out.indexOf(n) < 0) out.push(n);
      }
    }
    return out.length ? out : null;
  }
  BL.parseMetrics = function (s, fallback) {
    if (!s) return fallback.slice();
    const out = [];
    for (const part of s.split(',')) {
      const k = part.trim().toLowerCase();
      if (BL.METRICS[k] && out.indexOf(k) < 0) out.push(k);
    }
    return out.length ? out : fallback.slice();
  };

  /**
   * Validated URL parameters. `defaults` may override: metrics (array), minutes, per, players.
   * team: 'me' | [ids]; allies: null (all) | [ids].
   */
  BL.params = function (defaults, search) {
    const d = Object.assign(
      { metrics: ['metal_income', 'energy_income', 'army_value', 'units'], minutes: 5, team: 'me', per: 'team' },
      defaults || {}
    );
    const q = new URLSearchParams(search === undefined ? location.search : search);
    const get = (k) => q.get(k);
    const bool = (k, dflt) => {
      const v = (get(k) || '').toLowerCase();
      if (['1', 'true', 'yes', 'on'].indexOf(v) >= 0) return true;
      if (['0', 'false', 'no', 'off'].indexOf(v) >= 0) return false;
      return dflt;
    };
    let team = d.team;
    const tv = (get('team') || '').trim().toLowerCase();
    if (tv === 'me') team = 'me';
    else if (tv === 'all') team = 'all';
    else {
      const ids = idList(tv);
      if (ids) team = ids;
    }
    const theme = (get('theme') || '').toLowerCase() === 'light' ? 'light' : 'dark';
    const perv = (get('per') || '').toLowerCase();
    return {
      team,
      metrics: BL.parseMetrics(get('metrics'), d.metrics),
      minutes: numIn(get('minutes'), 1, 60) || d.minutes,
      scale: numIn(get('scale'), 0, 10) || 1,
      theme,
      delay: Math.round(numIn(get('delay'), 0, 600) || 0),
      allies: idList(get('allies')),
      per: perv === 'ally' || perv === 'team' ? perv : d.per,
      players: bool('players', true),
      spark: bool('spark', true),
      legend: bool('legend', true),
      cols: numIn(get('cols'), 1, 16),
      pct: bool('pct', true),
      clock: bool('clock', false),
      roles: bool('roles', false),
    };
  };

  // ---------------------------------------------------------------- DOM helpers
  BL.el = function (tag, cls, attrs) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (attrs) for (const k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, attrs[k]);
    return e;
  };
  /** A value element: <span class="bl-value" data-team|data-ally data-metric data-value>. */
  BL.valueEl = function (tag, kind, id, metric) {
    const e = BL.el(tag || 'span', 'bl-value bl-m-' + metric);
    e.setAttribute(kind === 'ally' ? 'data-ally' : 'data-team', String(id));
    e.setAttribute('data-metric', metric);
    e.setAttribute('data-value', '');
    e.textContent = '\u2013';
    return e;
  };
  /** Set a value element's text and data-value, touching the DOM only when something changed. */
  BL.setValue = function (el, v, text) {
    const raw = typeof v === 'number' && isFinite(v) ? String(v) : '';
    if (el.getAttribute('data-value') !== raw) el.setAttribute('data-value', raw);
    const n = el.firstChild;
    if (n && n.nodeType === 3 && !n.nextSibling) {
      if (n.nodeValue !== text) n.nodeValue = text;
    } else if (el.textContent !== text) el.textContent = text;
  };
  BL.safeColor = (c) => (typeof c === 'string' && /^#[0-9a-fA-F]{6}$/.test(c) ? c : '#888888');
  /** Relative luminance 0..1 of '#rrggbb'. */
  BL.luminance = function (c) {
    c = BL.safeColor(c);
    const ch = [1, 3, 5].map((i) => {
      const x = parseInt(c.substr(i, 2), 16) / 255;
      return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  /** Give `el` the colour variable (--bl-team-color or --bl-ally-color) and mark very dark colours. */
  BL.setColor = function (el, kind, color) {
    const c = BL.safeColor(color);
    el.style.setProperty(kind === 'ally' ? '--bl-ally-color' : '--bl-team-color', c);
    el.classList.toggle('bl-dark-color', BL.luminance(c) < 0.03);
  };
  BL.cssVar = function (name, fallback) {
    const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return v || fallback;
  };

  // ---------------------------------------------------------------- history
  /**
   * Rolling history shared by all series: one time axis `t` (game seconds, ascending) and, per series
   * ('team:<id>' / 'ally:<id>') and metric, an array of numbers or null aligned with `t`.
   */
  class History {
    constructor(windowSeconds, metrics) {
      this.window = windowSeconds;
      this.metrics = metrics.slice();
      this.clear();
    }
    clear() {
      this.t = [];
      this.data = {}; // 'team:0' -> { metal_income: [...] }
    }
    /** The series of `key`, created with n nulls (default: one per point) if it is new. */
    _series(key, n) {
      let s = this.data[key];
      if (!s) {
        s = this.data[key] = {};
        const len = n === undefined ? this.t.length : n;
        for (const m of this.metrics) s[m] = new Array(len).fill(null);
      }
      return s;
    }
    /** Replace everything with a snapshot's history (and its current values as the newest point). */
    reset(msg) {
      this.clear();
      const h = msg && msg.history;
      if (h && Array.isArray(h.t)) {
        const n = h.t.length;
        this.t = h.t.map((x) => (typeof x === 'number' ? x : NaN));
        for (const kind of ['teams', 'allies']) {
          const group = h[kind] || {};
          for (const id in group) {
            const s = this._series((kind === 'teams' ? 'team:' : 'ally:') + id);
            for (const m of this.metrics) {
              const src = group[id] && group[id][m];
              if (Array.isArray(src) && src.length === n) s[m] = src.map(BL.num);
              else s[m] = new Array(n).fill(null);
            }
          }
        }
        // drop anything not ascending (defensive)
        let ok = true;
        for (let i = 1; i < n; i++) if (!(this.t[i] > this.t[i - 1])) ok = false;
        if (!ok || this.t.some((x) => !isFinite(x))) this.clear();
      }
      if (msg) this.push(msg);
    }
    /** Append a message's values if its game_seconds is newer than the last point. */
    push(msg) {
      const t = msg.game_seconds;
      if (typeof t !== 'number' || !isFinite(t)) return false;
      const last = this.t.length ? this.t[this.t.length - 1] : -Infinity;
      if (!(t > last)) return false;
      if (msg.state === 'waiting') return false;
      this.t.push(t);
      const seen = {};
      const add = (prefix, list, idField) => {
        for (const e of list || []) {
          const key = prefix + e[idField];
          seen[key] = true;
          const s = this._series(key, this.t.length - 1);
          if (s[this.metrics[0]] && s[this.metrics[0]].length >= this.t.length) continue; // listed twice
          for (const m of this.metrics) s[m].push(BL.num(e.values ? e.values[m] : null));
        }
      };
      add('team:', msg.teams, 'team_id');
      add('ally:', msg.allies, 'ally_team_id');
      for (const key in this.data) {
        if (seen[key]) continue;
        for (const m of this.metrics) this.data[key][m].push(null);
      }
      this.trim();
      return true;
    }
    trim() {
      if (!this.t.length) return;
      const cut = this.t[this.t.length - 1] - this.window;
      let i = 0;
      // keep one point before the window so lines reach the left edge
      while (i + 1 < this.t.length && this.t[i + 1] <= cut) i++;
      if (i > 0) {
        this.t.splice(0, i);
        for (const key in this.data) for (const m of this.metrics) this.data[key][m].splice(0, i);
      }
    }
    get(kind, id, metric) {
      const s = this.data[(kind === 'ally' ? 'ally:' : 'team:') + id];
      return s && s[metric] ? s[metric] : null;
    }
  }
  BL.History = History;

  // ---------------------------------------------------------------- drawing
  function niceStep(range, ticks) {
    const raw = range / Math.max(1, ticks);
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    const f = raw / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
  }
  BL.niceStep = niceStep;

  /** Size a canvas's backing store to its CSS box × devicePixelRatio; returns [w, h, dpr] in CSS px. */
  BL.sizeCanvas = function (canvas) {
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth, h = canvas.clientHeight;
    const bw = Math.max(1, Math.round(w * dpr)), bh = Math.max(1, Math.round(h * dpr));
    if (canvas.width !== bw || canvas.height !== bh) {
      canvas.width = bw;
      canvas.height = bh;
    }
    return [w, h, dpr];
  };

  /**
   * Draw lines on a canvas.
   * opts: t (times), series: [{values, color}], t0, t1 (x range), zero (y from 0), pad (px),
   *       grid (draw y grid + labels), lineWidth, outline (colour), font (px), textColor,
   *       right (px kept free at the right), fill (area under a single line)
   * Returns {y: (v) => px, lo, hi} so callers can place labels.
   */
  BL.drawLines = function (canvas, o) {
    const [w, h, dpr] = BL.sizeCanvas(canvas);
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const t = o.t || [];
    const lw = o.lineWidth || 2;
    const pad = o.pad === undefined ? lw + 1 : o.pad;
    const top = (o.top || 0) + pad, bottom = h - pad - (o.bottom || 0);
    const left = (o.left || 0) + pad, right = w - pad - (o.right || 0);
    if (!t.length || right <= left || bottom <= top) return null;
    const t1 = o.t1 !== undefined ? o.t1 : t[t.length - 1];
    const t0 = o.t0 !== undefined ? o.t0 : t[0];
    let i0 = 0;
    while (i0 + 1 < t.length && t[i0 + 1] < t0) i0++;
    let lo = Infinity, hi = -Infinity;
    for (const s of o.series) {
      for (let i = i0; i < t.length; i++) {
        const v = s.values[i];
        if (v === null || v === undefined) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (lo === Infinity) return null;
    if (o.zero) {
      lo = Math.min(0, lo);
      hi = Math.max(0, hi);
    }
    let step = 0;
    if (o.grid) {
      if (hi === lo) hi = lo + 1;
      step = niceStep(hi - lo, o.ticks || 3);
      lo = Math.floor(lo / step) * step;
      hi = Math.ceil(hi / step) * step;
    } else if (hi - lo < 1e-9) {
      const c = lo;
      lo = c - 1;
      hi = c + 1;
    }
    const span = t1 - t0 || 1;
    const x = (tt) => left + ((tt - t0) / span) * (right - left);
    const y = (v) => bottom - ((v - lo) / (hi - lo)) * (bottom - top);

    const tickLabels = [];
    if (o.grid && step > 0) {
      for (let v = lo; v <= hi + step / 2; v += step) {
        const yy = Math.round(y(v)) + 0.5;
        ctx.strokeStyle = o.gridColor || 'rgba(255,255,255,0.22)';
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(left, yy);
        ctx.lineTo(right, yy);
        ctx.stroke();
        if (v < hi - step / 2) tickLabels.push([BL.fmt(Math.abs(v) < step / 1e6 ? 0 : v), yy]); // top kept for the title
      }
    }

    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
    const path = (s) => {
      ctx.beginPath();
      let pen = false;
      for (let i = i0; i < t.length; i++) {
        const v = s.values[i];
        if (v === null || v === undefined) {
          pen = false;
          continue;
        }
        const xx = x(Math.max(t[i], t0)), yy = y(v);
        if (pen) ctx.lineTo(xx, yy);
        else ctx.moveTo(xx, yy);
        pen = true;
      }
    };
    if (o.fill && o.series.length === 1) {
      const s = o.series[0];
      path(s);
      // close down to the bottom for a faint area
      let first = null, lastX = null;
      for (let i = i0; i < t.length; i++) if (s.values[i] !== null && s.values[i] !== undefined) {
        if (first === null) first = x(Math.max(t[i], t0));
        lastX = x(t[i]);
      }
      if (first !== null) {
        ctx.lineTo(lastX, bottom);
        ctx.lineTo(first, bottom);
        ctx.closePath();
        ctx.globalAlpha = 0.22;
        ctx.fillStyle = s.color;
        ctx.fill();
        ctx.globalAlpha = 1;
      }
    }
    // outlines first (all lines), then colours, so crossings stay readable
    for (const s of o.series) {
      path(s);
      ctx.strokeStyle = s.outline || o.outline || '#000';
      ctx.globalAlpha = 0.85;
      ctx.lineWidth = lw + Math.max(2, lw * 1.2);
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
    for (const s of o.series) {
      path(s);
      ctx.strokeStyle = s.color;
      ctx.lineWidth = lw;
      ctx.stroke();
    }
    // tick labels last, above the lines
    if (tickLabels.length) {
      const fpx = o.font || 11;
      ctx.font = '600 ' + fpx + 'px ' + (o.fontFamily || 'sans-serif');
      ctx.textBaseline = 'middle';
      ctx.lineJoin = 'round';
      for (const [label, yy] of tickLabels) {
        ctx.lineWidth = Math.max(2, fpx / 4);
        ctx.strokeStyle = o.outline || '#000';
        ctx.strokeText(label, left + 2, yy - fpx * 0.55);
        ctx.fillStyle = o.textColor || '#fff';
        ctx.fillText(label, left + 2, yy - fpx * 0.55);
      }
    }
    return { y, lo, hi, top, bottom };
  };

  /** Outline for a line in colour c: the theme's outline, or a light halo if c is too dark for it. */
  BL.lineOutline = function (c, outline) {
    const dark = BL.luminance(outline || '#000') < 0.2;
    const l = BL.luminance(c);
    if (dark && l < 0.06) return 'rgba(255,255,255,0.75)';
    if (!dark && l > 0.7) return 'rgba(0,0,0,0.75)';
    return outline || '#000';
  };

  // ---------------------------------------------------------------- scaling
  /**
   * Scale the page to the source size by setting the root's font-size (every size is in em).
   * mode 'content': the root shrinks to its content; fit that box into the viewport.
   * mode 'fill': the root fills the viewport; the font follows min(width/designW, height/designH).
   * Both are multiplied by the `scale` parameter.
   */
  BL.fit = function (root, o) {
    const base = parseFloat(BL.cssVar('--bl-font-size', '16px')) || 16;
    const W = window.innerWidth || 1, H = window.innerHeight || 1;
    let f;
    const content = root.querySelector('.bl-content');
    if (content && !content.firstElementChild) {
      // nothing to show (waiting, connecting): a small, fixed-looking size
      const px = Math.min(22, Math.max(10, Math.min(W / 25, H / 10))) * Math.min(2, o.scale || 1);
      root.style.fontSize = Math.round(px * 100) / 100 + 'px';
      return 1;
    }
    if (o.mode === 'fill') {
      // the tournament badge sits above the content: keep room for it in the design height
      const dh = (o.designHeight || 360) + BL.badgeEm(root) * base;
      f = Math.min(W / (o.designWidth || 640), H / dh);
    } else {
      f = BL.measureFit(root, base);
    }
    f = Math.max(0.05, f) * (o.scale || 1);
    // round to 1/100 px so repeated fits do not jitter
    root.style.fontSize = Math.max(1, Math.round(base * f * 100) / 100) + 'px';
    return f;
  };
  /** Height of the root's "DELAYED" badge (margins included) in em of the root's font; 0 when not shown. */
  BL.badgeEm = function (root) {
    const b = root.querySelector(':scope > .bl-delayed-badge');
    if (!b) return 0;
    const h = b.getBoundingClientRect().height;
    if (!(h > 0)) return 0; // hidden by the user's style
    const cs = getComputedStyle(b);
    const fs = parseFloat(getComputedStyle(root).fontSize) || 16;
    return (h + (parseFloat(cs.marginTop) || 0) + (parseFloat(cs.marginBottom) || 0)) / fs;
  };
  /** How much the root (at the base font size) could grow to fit the viewport: min(W/w, H/h). */
  BL.measureFit = function (root, base) {
    base = base || parseFloat(BL.cssVar('--bl-font-size', '16px')) || 16;
    const W = window.innerWidth || 1, H = window.innerHeight || 1;
    root.style.fontSize = base + 'px';
    const w = root.offsetWidth, h = root.offsetHeight;
    if (w < 4 || h < 4) return Math.min(W / 320, H / 180);
    // 1% to spare: text does not scale exactly linearly (hinting, rounding)
    return Math.min(W / w, H / h) * 0.99;
  };

  // ---------------------------------------------------------------- connection
  /**
   * Start a page. opts:
   *   root: the .bl-root element
   *   params: BL.params() result
   *   metrics: metric keys the page needs history for (default params.metrics)
   *   historyMinutes: history window (default params.minutes)
   *   onSnapshot(msg, history), onUpdate(msg, history, appended), onResize()
   *   server: 'http://127.0.0.1:9877' (default: the page's own origin)
   *   query: extra query parameters for /ws and /api/snapshot, e.g. {build: 1, opening: 12} (build.html);
   *          null / undefined values are left out
   */
  BL.start = function (opts) {
    const root = opts.root;
    const p = opts.params;
    const metrics = opts.metrics || p.metrics;
    const minutes = opts.historyMinutes || p.minutes;
    const history = new History(minutes * 60, metrics);
    document.documentElement.classList.add(p.theme === 'light' ? 'bl-theme-light' : 'bl-theme-dark');
    root.setAttribute('data-state', 'connecting');
    root.setAttribute('data-game-seconds', '');
    root.classList.add('bl-no-data');
    root.classList.add('bl-connecting-quiet');
    // say "connecting…" only if it takes a while and nothing has been shown yet
    setTimeout(() => root.classList.remove('bl-connecting-quiet'), 3000);

    let origin = opts.server;
    if (!origin) origin = location.protocol === 'file:' || !location.host ? 'http://127.0.0.1:' + BL.DEFAULT_PORT : location.origin;
    const wsBase = origin.replace(/^http/, 'ws');
    const query =
      '?delay=' + p.delay + '&minutes=' + Math.min(60, Math.max(1, Math.ceil(minutes))) + '&metrics=' + metrics.join(',') +
      BL.extraQuery(opts.query);
    const url = wsBase + '/ws' + query;
    BL.snapshotUrl = origin + '/api/snapshot' + query;

    let ws = null;
    let backoff = 500;
    let timer = null;
    let haveSnapshot = false;
    let lastGs = null;
    let closedAt = Date.now();
    let connected = false;
    const waitingText = root.querySelector('.bl-waiting');

    function setState(s) {
      if (root.getAttribute('data-state') !== s) root.setAttribute('data-state', s);
      if (waitingText) {
        const txt = s === 'waiting' ? 'waiting for game' : 'connecting\u2026';
        if (waitingText.textContent !== txt) waitingText.textContent = txt;
      }
    }
    setState('connecting');

    // The app's tournament switch ("delay everything"): while the messages carry delayed_everything_s,
    // a small "DELAYED m:ss" badge above the content (in the flow, so it never covers the data), in the
    // waiting state too. The ordinary per-page `delay` shows nothing. True when the badge changed.
    let badge = null;
    function setDelayed(msg) {
      const s = BL.num(msg.delayed_everything_s);
      const text = s === null ? '' : BL.delayedText(s);
      const shown = badge && badge.parentNode ? badge.textContent : '';
      if (text === shown) return false;
      root.classList.toggle('bl-delayed', !!text);
      if (!text) {
        badge.remove();
        return true;
      }
      if (!badge) badge = BL.el('div', 'bl-delayed-badge', { title: 'tournament delay: everything shown is ' + Math.round(s) + ' s behind the game' });
      badge.textContent = text;
      if (!badge.parentNode) root.insertBefore(badge, root.firstChild);
      return true;
    }

    function applied(msg) {
      root.setAttribute('data-game-seconds', typeof msg.game_seconds === 'number' ? String(msg.game_seconds) : '');
      const live = msg.state !== 'waiting';
      setState(live ? 'live' : 'waiting');
      root.classList.toggle('bl-no-data', false);
      root.classList.toggle('bl-paused', !!msg.paused);
      root.classList.toggle('bl-game-over', !!msg.game_over);
      root.classList.toggle('bl-spectating', !!msg.spectating);
    }

    function onMessage(ev) {
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      if (!msg || typeof msg !== 'object') return;
      if (msg.api_version !== undefined && msg.api_version > BL.API_VERSION) {
        // newer server: read what we know, ignore the rest
      }
      connected = true;
      backoff = 500;
      if (msg.type === 'snapshot') {
        haveSnapshot = true;
        lastGs = typeof msg.game_seconds === 'number' ? msg.game_seconds : null;
        history.window = minutes * 60;
        history.reset(msg.state === 'waiting' ? null : msg);
        applied(msg);
        const badgeChanged = setDelayed(msg);
        safe(() => opts.onSnapshot(msg, history));
        if (badgeChanged) refit();
      } else if (msg.type === 'update') {
        if (!haveSnapshot) return;
        const gs = msg.game_seconds;
        if (typeof gs === 'number' && lastGs !== null && gs < lastGs) {
          // time went backwards: a new game. Keep the display, fetch a fresh snapshot.
          haveSnapshot = false;
          reconnectNow();
          return;
        }
        if (typeof gs === 'number') lastGs = gs;
        const appended = history.push(msg);
        applied(msg);
        const badgeChanged = setDelayed(msg);
        safe(() => opts.onUpdate(msg, history, appended));
        if (badgeChanged) refit();
      }
    }

    // the badge came, went or changed: the page fits itself again (its onResize does that)
    function refit() {
      if (opts.onResize) safe(opts.onResize);
    }

    function safe(fn) {
      try {
        fn();
      } catch (e) {
        if (window.console) console.error('bar-live overlay:', e);
      }
    }

    function connect() {
      timer = null;
      try {
        ws = new WebSocket(url);
      } catch (e) {
        schedule();
        return;
      }
      ws.onmessage = onMessage;
      ws.onclose = () => {
        ws = null;
        if (connected) closedAt = Date.now();
        connected = false;
        haveSnapshot = false;
        setState('connecting');
        schedule();
      };
      ws.onerror = () => {};
    }
    function schedule() {
      if (timer) return;
      timer = setTimeout(connect, backoff);
      backoff = Math.min(5000, backoff * 2);
    }
    function reconnectNow() {
      backoff = 500;
      if (ws) {
        const old = ws;
        ws = null;
        old.onclose = null;
        old.onmessage = null;
        try {
          old.close();
        } catch (e) {}
      }
      connected = false;
      schedule();
    }
    // dim after ~10 s without a connection (style: .bl-stale, --bl-stale-opacity)
    setInterval(() => {
      const stale = !connected && Date.now() - closedAt > 10000 && !root.classList.contains('bl-no-data');
      root.classList.toggle('bl-stale', stale);
    }, 1000);

    let resizeQueued = false;
    window.addEventListener('resize', () => {
      if (resizeQueued) return;
      resizeQueued = true;
      requestAnimationFrame(() => {
        resizeQueued = false;
        if (opts.onResize) safe(opts.onResize);
      });
    });

    // A page put away (navigated from, or kept in the back/forward cache) lets its socket go, so the
    // server's page slots are not held by pages nobody sees; shown again, it reconnects.
    window.addEventListener('pagehide', () => {
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      if (ws) {
        const old = ws;
        ws = null;
        old.onclose = null;
        old.onmessage = null;
        try {
          old.close();
        } catch (e) {}
      }
      connected = false;
    });
    window.addEventListener('pageshow', (e) => {
      if (e.persisted && !ws) reconnectNow();
    });

    connect();
    return { history, reconnect: reconnectNow };
  };

  /** Pick the team to show: ids from params (first that exists), 'me' = my_team_id, else the first team. */
  BL.pickTeam = function (msg, want) {
    const teams = (msg && msg.teams) || [];
    const byId = (id) => teams.find((t) => t.team_id === id);
    if (Array.isArray(want)) for (const id of want) if (byId(id)) return byId(id);
    if (msg && msg.my_team_id !== null && msg.my_team_id !== undefined && byId(msg.my_team_id)) return byId(msg.my_team_id);
    return teams[0] || null;
  };
  /** Ally teams to show: those listed in `want` (in that order) that exist, else all. */
  BL.pickAllies = function (msg, want) {
    const allies = (msg && msg.allies) || [];
    if (want) {
      const out = [];
      for (const id of want) {
        const a = allies.find((x) => x.ally_team_id === id);
        if (a) out.push(a);
      }
      if (out.length) return out;
    }
    return allies.slice();
  };
  BL.val = (entity, key) => (entity && entity.values ? BL.num(entity.values[key]) : null);

  // ---------------------------------------------------------------- army value by role (team, allies: roles=1)
  /**
   * The army value split by role, in words: mobile army units and static defences, each the sum of its
   * three tech levels (the widget's unit defs say nothing of land / air / sea, and there is no economy value).
   */
  BL.ROLES = [
    { role: 'army', label: 'Army', keys: ['army_t1_value', 'army_t2_value', 'army_t3_value'] },
    { role: 'defence', label: 'Defence', keys: ['defense_t1_value', 'defense_t2_value', 'defense_t3_value'] },
  ];
  /** A role's value: the sum of its known tech levels, null when none is known. */
  BL.roleValue = function (entity, role) {
    const r = BL.ROLES.find((x) => x.role === role);
    if (!r) return null;
    let sum = null;
    for (const k of r.keys) {
      const v = BL.val(entity, k);
      if (v !== null) sum = (sum || 0) + v;
    }
    return sum;
  };
  /**
   * The "Army value by role" block for a team or ally team: a title, a stacked bar (army in the team's
   * colour, defence in a darker hatched variant) and the words with the numbers. Returns {el, set(entity)}.
   * Each number: <span class="bl-value bl-role-value" data-team|data-ally data-role data-value>.
   */
  BL.rolesBlock = function (kind, id) {
    const el = BL.el('div', 'bl-roles');
    const title = BL.el('div', 'bl-roles-title bl-label');
    title.textContent = 'Army value by role';
    el.appendChild(title);
    const bar = BL.el('div', 'bl-roles-bar');
    const legend = BL.el('div', 'bl-roles-legend');
    const parts = BL.ROLES.map((r) => {
      const seg = BL.el('span', 'bl-roles-seg bl-role-' + r.role, { 'data-role': r.role });
      seg.style.width = '0%';
      bar.appendChild(seg);
      const item = BL.el('span', 'bl-role bl-role-' + r.role);
      item.appendChild(BL.el('span', 'bl-role-key'));
      const label = BL.el('span', 'bl-label');
      label.textContent = r.label;
      item.appendChild(label);
      const value = BL.el('span', 'bl-value bl-role-value');
      value.setAttribute(kind === 'ally' ? 'data-ally' : 'data-team', String(id));
      value.setAttribute('data-role', r.role);
      value.setAttribute('data-value', '');
      value.textContent = '\u2013';
      item.appendChild(value);
      legend.appendChild(item);
      return { role: r.role, seg, value };
    });
    el.appendChild(bar);
    el.appendChild(legend);
    return {
      el,
      set(entity) {
        const vals = parts.map((x) => BL.roleValue(entity, x.role));
        const total = vals.reduce((a, v) => a + Math.max(0, v || 0), 0);
        parts.forEach((x, i) => {
          BL.setValue(x.value, vals[i], BL.fmt(vals[i]));
          const w = total > 0 ? (100 * Math.max(0, vals[i] || 0)) / total : 0;
          const ws = Math.round(w * 100) / 100 + '%';
          if (x.seg.style.width !== ws) x.seg.style.width = ws;
        });
      },
    };
  };

  // ---------------------------------------------------------------- additions (build.html)
  /** '&k=v&…' for the extra query parameters of BL.start (URL-encoded; null / undefined left out). */
  BL.extraQuery = function (q) {
    if (!q || typeof q !== 'object') return '';
    let out = '';
    for (const k in q) {
      if (q[k] === null || q[k] === undefined) continue;
      out += '&' + encodeURIComponent(k) + '=' + encodeURIComponent(String(q[k]));
    }
    return out;
  };
  /** An integer URL parameter in lo..hi (rounded, clamped), or null when missing or not a number. */
  BL.intParam = function (name, lo, hi, search) {
    const v = new URLSearchParams(search === undefined ? location.search : search).get(name);
    if (v === null || v.trim() === '') return null;
    const n = Number(v);
    if (!isFinite(n)) return null;
    return Math.min(hi, Math.max(lo, Math.round(n)));
  };
})();

// The WebSocket to /ws: one JSON frame per text message (subprotocol sockchat.v1), reconnecting
// with backoff, and a watchdog ping so a half-open connection is noticed.

const BACKOFF_SECONDS = [0.5, 1, 2, 4, 8, 15, 30];
const WATCHDOG_IDLE_MS = 25000;
const WATCHDOG_ANSWER_MS = 10000;

export class Link {
  /** handlers: { open(), frame(obj), close(info), waiting(seconds) } */
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.socket = null;
    this.failures = 0;
    this.timer = null;
    this.stopped = true;
    this.lastHeard = 0;
    this.watchdog = null;
    this.pingSent = 0;
  }

  get open() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  /** Closes and stays closed until start() (a refused name or password, /quit). */
  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = null;
    this.drop();
  }

  /** Reconnects at once instead of waiting out the backoff. */
  now() {
    if (this.stopped || this.socket) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.connect();
  }

  /** Counts a successful session: the next failure starts the backoff again. */
  settled() {
    this.failures = 0;
  }

  send(frame) {
    if (!this.open) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  connect() {
    let socket;
    try {
      socket = new WebSocket(this.url, 'sockchat.v1');
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.lastHeard = Date.now();
      this.armWatchdog();
      this.handlers.open();
    };
    socket.onmessage = (event) => {
      this.lastHeard = Date.now();
      this.pingSent = 0;
      if (typeof event.data !== 'string') return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return; // e.g. the plain-text nickname prompt: JSON clients ignore non-JSON lines.
      }
      if (frame && typeof frame === 'object' && typeof frame.type === 'string') this.handlers.frame(frame);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      clearInterval(this.watchdog);
      this.handlers.close({ code: event.code, reason: event.reason });
      if (!this.stopped) this.scheduleRetry();
    };
    socket.onerror = () => { /* onclose follows */ };
  }

  drop() {
    const socket = this.socket;
    if (!socket) return;
    this.socket = null;
    clearInterval(this.watchdog);
    socket.onclose = null;
    socket.onmessage = null;
    try { socket.close(1000, 'bye'); } catch { /* already closed */ }
    this.handlers.close({ code: 1000, reason: 'closed by the page' });
  }

  /** Drops the current socket as broken and retries with backoff. */
  broken() {
    if (!this.socket) return;
    const socket = this.socket;
    this.drop();
    void socket;
    if (!this.stopped) this.scheduleRetry();
  }

  scheduleRetry() {
    if (this.stopped || this.timer) return;
    const base = BACKOFF_SECONDS[Math.min(this.failures, BACKOFF_SECONDS.length - 1)];
    this.failures += 1;
    const seconds = base * (0.8 + Math.random() * 0.4);
    this.handlers.waiting(Math.ceil(seconds));
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopped && !this.socket) this.connect();
    }, seconds * 1000);
  }

  armWatchdog() {
    clearInterval(this.watchdog);
    this.watchdog = setInterval(() => {
      if (!this.open) return;
      const now = Date.now();
      if (this.pingSent && now - this.pingSent > WATCHDOG_ANSWER_MS) {
        this.broken();
      } else if (!this.pingSent && now - this.lastHeard > WATCHDOG_IDLE_MS) {
        this.pingSent = now;
        this.send({ type: 'ping', id: 'watchdog' });
      }
    }, 2000);
  }
}

// Small localStorage wrapper: the page works (without memory) when storage is unavailable.
const PREFIX = 'sockchat.';

export function load(key, fallback) {
  try {
    const raw = localStorage.getItem(PREFIX + key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

export function save(key, value) {
  try {
    localStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch { /* private mode or full: forget it */ }
}

export function forget(key) {
  try { localStorage.removeItem(PREFIX + key); } catch { /* ignore */ }
}

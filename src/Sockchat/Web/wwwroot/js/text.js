// Turning untrusted chat text into DOM nodes. Everything here builds nodes with
// createTextNode/textContent; no string is ever parsed as HTML.

// ANSI/VT escape sequences (CSI, OSC/DCS/APC strings, two-character ESC x), then every other
// control character but tab and newline, and the bidi embeddings, overrides and isolates. The
// server already strips these; the page does it again so a bridge or another server cannot
// smuggle them in.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b[\]PX^_][\s\S]*?(?:\x07|\x1b\\|$)|\x1b[\s\S]?|\x9b[0-?]*[ -/]*[@-~]/g;
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

export function clean(text) {
  return String(text ?? '').replace(ESCAPES, '').replace(CONTROLS, '');
}

// http and https links only; anything else (javascript:, data:, …) stays text.
const LINK = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?)\]}'"»]$/;

/** Drops sentence punctuation after a link; a `)` stays when it closes a `(` inside the link. */
function trimLink(raw) {
  while (TRAILING.test(raw)) {
    if (raw.endsWith(')') && raw.split('(').length > raw.split(')').length - 1) break;
    raw = raw.slice(0, -1);
  }
  return raw;
}

function safeUrl(candidate) {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A regular expression that finds `name` as a word (letters, digits, -_. around it do not count as a boundary). */
export function mentionPattern(name) {
  if (!name) return null;
  return new RegExp(`(?<![\\p{L}\\p{N}_.-])@?${escapeRegExp(name)}(?![\\p{L}\\p{N}_-])`, 'iu');
}

export function mentions(text, pattern) {
  return pattern !== null && pattern.test(text);
}

function appendWithMentions(parent, text, pattern) {
  if (!pattern || !text) {
    parent.append(document.createTextNode(text));
    return;
  }
  const global = new RegExp(pattern.source, 'giu');
  let last = 0;
  for (const match of text.matchAll(global)) {
    parent.append(document.createTextNode(text.slice(last, match.index)));
    const mark = document.createElement('mark');
    mark.className = 'mention-word';
    mark.textContent = match[0];
    parent.append(mark);
    last = match.index + match[0].length;
  }
  parent.append(document.createTextNode(text.slice(last)));
}

/** Fills `parent` with `text`: links (http/https only) as anchors, mentions of `pattern` marked, the rest as text nodes. */
export function renderText(parent, text, pattern) {
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    const raw = trimLink(match[0]);
    const url = safeUrl(raw);
    if (!url) continue;
    appendWithMentions(parent, text.slice(last, match.index), pattern);
    const a = document.createElement('a');
    a.href = url.href;
    a.textContent = raw;
    a.rel = 'noopener noreferrer';
    a.target = '_blank';
    parent.append(a);
    last = match.index + raw.length;
  }
  appendWithMentions(parent, text.slice(last), pattern);
}

/** A stable colour class (name-0 … name-11) for a name. */
export function colourOf(name) {
  let h = 0;
  for (const ch of String(name).toLowerCase()) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return `name-${h % 12}`;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });

export function timeElement(ts) {
  const date = new Date(ts);
  const el = document.createElement('time');
  if (Number.isNaN(date.getTime())) return el;
  el.dateTime = date.toISOString();
  el.textContent = timeFormat.format(date);
  el.title = fullFormat.format(date);
  return el;
}

export function dayKey(ts) {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? '' : `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function dayLabel(ts) {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? '' : dayFormat.format(d);
}

/** "alice", "alice and bob", "alice, bob and 3 others". */
export function listNames(names, count) {
  const total = Math.max(count ?? names.length, names.length);
  if (total <= 1) return names[0] ?? 'someone';
  if (total === 2 && names.length >= 2) return `${names[0]} and ${names[1]}`;
  if (names.length >= total && total <= 4) return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${names.slice(0, 2).join(', ')} and ${total - 2} others`;
}

/** Room names as the server folds them: no leading #, ASCII lower case. */
export function roomName(input) {
  return String(input ?? '').trim().replace(/^#/, '').toLowerCase();
}

export const ROOM_PATTERN = /^[a-z0-9_-]{1,32}$/;

export function utf8Length(s) {
  return new TextEncoder().encode(s).length;
}

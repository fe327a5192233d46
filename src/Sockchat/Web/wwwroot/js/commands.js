// The slash commands of the text dialect, parsed for the page. parse() only splits the line;
// main.js carries each command out with JSON frames.

export const HELP = [
  '/join #room — join (or create) a room and switch to it (also /j)',
  '/part [#room] — leave the room (also /leave)',
  '/msg name text — a private message; /query name opens the conversation (also /dm)',
  '/me action — say what you do: /me waves',
  '/nick name — change your name',
  '/who [#room] — who is in the room (also /names)',
  '/rooms — the rooms on the server (also /list)',
  '/quiet [off] — hide join and leave notices here (this browser only)',
  '/mute [off] — no unread highlight or notifications for this room',
  '/clear — clear this conversation on this page',
  '/ping — measure the round trip to the server',
  '/quit — disconnect',
  '//text — send text that starts with /',
  'Keys: Enter sends, Shift+Enter new line, Up recalls, Tab completes a name, Ctrl+K switch, Alt+Up/Down previous/next room, Alt+Shift+Up/Down unread',
];

const ALIASES = {
  j: 'join', leave: 'part', dm: 'msg', query: 'msg', names: 'who', list: 'rooms', exit: 'quit', bye: 'quit',
};

/**
 * Splits one input line. Returns null for a plain message (including `//text`, returned by the
 * caller as literal text), else { name, args, rest } with `rest` the text after the first argument.
 */
export function parse(line) {
  if (!line.startsWith('/') || line.startsWith('//')) return null;
  const match = line.match(/^\/(\S*)\s*([\s\S]*)$/);
  const raw = match[1].toLowerCase();
  const tail = match[2];
  const args = tail.split(/\s+/).filter(Boolean);
  const firstEnd = tail.search(/\s/);
  const rest = firstEnd < 0 ? '' : tail.slice(firstEnd).trim();
  return { name: ALIASES[raw] ?? raw, raw, args, tail: tail.trim(), rest };
}

/** The text a plain line sends: `//x` sends `/x`. */
export function literal(line) {
  return line.startsWith('//') ? line.slice(1) : line;
}

// Entry point: wires the page's controls, the keyboard and the slash commands to Chat and View.
import { Chat } from './chat.js';
import { View, label } from './view.js';
import { parse, literal, HELP } from './commands.js';
import { roomName, ROOM_PATTERN } from './text.js';

const $ = (id) => document.getElementById(id);
const LONG_PASTE_LINES = 5;

const view = new View();
const wsUrl = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
const chat = new Chat(view, wsUrl);
view.attach(chat);
window.sockchat = chat; // for the browser tests and the curious: read-only use, please

// ---- login ---------------------------------------------------------------------------------

$('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const name = $('login-name').value.trim();
  if (!name) {
    $('login-error').textContent = 'Type a name first.';
    $('login-name').focus();
    return;
  }
  $('login-error').textContent = '';
  chat.login(name, $('login-password').value);
});

$('change-name').addEventListener('click', () => chat.logout());

// ---- composer ------------------------------------------------------------------------------

const composer = $('composer');
const sent = [];
let recall = -1;
let draft = '';

function grow() {
  composer.style.height = 'auto';
  composer.style.height = `${Math.min(composer.scrollHeight, 200)}px`;
}

composer.addEventListener('input', () => {
  recall = -1;
  grow();
});

composer.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    submit();
  } else if (event.key === 'ArrowUp' && !event.altKey && !event.shiftKey && composer.selectionStart === 0 && composer.selectionEnd === 0 || event.key === 'ArrowUp' && !event.altKey && composer.value === '') {
    if (sent.length === 0) return;
    event.preventDefault();
    if (recall === -1) draft = composer.value;
    recall = Math.min(recall + 1, sent.length - 1);
    composer.value = sent[sent.length - 1 - recall];
    grow();
    composer.setSelectionRange(composer.value.length, composer.value.length);
  } else if (event.key === 'ArrowDown' && !event.altKey && recall >= 0 && composer.selectionStart === composer.value.length) {
    event.preventDefault();
    recall -= 1;
    composer.value = recall >= 0 ? sent[sent.length - 1 - recall] : draft;
    grow();
  } else if (event.key === 'Tab' && !event.shiftKey && completeName()) {
    event.preventDefault();
  }
});

/** Tab after the start of a name completes it from the members list; false (Tab moves focus) when nothing matches. */
function completeName() {
  const conv = chat.currentConv;
  const upto = composer.value.slice(0, composer.selectionStart);
  const word = upto.match(/[\p{L}\p{N}_.-]+$/u)?.[0];
  if (!conv || !word) return false;
  const match = [...conv.members].filter((m) => m.toLowerCase().startsWith(word.toLowerCase()) && m.toLowerCase() !== chat.me.toLowerCase()).sort()[0];
  if (!match) return false;
  const start = upto.length - word.length;
  const suffix = start === 0 ? ': ' : ' ';
  composer.value = composer.value.slice(0, start) + match + suffix + composer.value.slice(composer.selectionStart);
  const caret = start + match.length + suffix.length;
  composer.setSelectionRange(caret, caret);
  return true;
}

$('composer-form').addEventListener('submit', (event) => {
  event.preventDefault();
  submit();
});

async function submit() {
  const value = composer.value;
  if (!value.trim()) return;
  const conv = chat.currentConv;
  const command = value.includes('\n') ? null : parse(value);
  if (command) {
    remember(value);
    clearComposer();
    run(command, conv);
    return;
  }
  if (!conv) return;
  const lines = value.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length > LONG_PASTE_LINES && !(await confirmSend(`Send these ${lines.length} lines as ${lines.length} separate messages to ${label(conv)}?`))) {
    composer.focus();
    return;
  }
  remember(value);
  clearComposer();
  for (const line of lines) chat.post(conv, literal(line));
}

function remember(value) {
  if (sent[sent.length - 1] !== value) sent.push(value);
  if (sent.length > 100) sent.shift();
  recall = -1;
}

function clearComposer() {
  composer.value = '';
  grow();
}

function confirmSend(question) {
  const dialog = $('confirm-dialog');
  $('confirm-text').textContent = question;
  dialog.returnValue = '';
  dialog.showModal();
  $('confirm-ok').focus();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
  });
}

// ---- slash commands ------------------------------------------------------------------------

function run(command, conv) {
  const note = (kind, text) => chat.noteCurrent(kind, text);
  switch (command.name) {
    case 'join':
      if (!command.args[0]) return note('error', 'usage: /join #room');
      return chat.join(command.args[0]);
    case 'part': {
      const target = command.args[0] ? chat.convs.get('#' + roomName(command.args[0])) : conv;
      if (!target) return note('error', `You are not in ${command.args[0]}.`);
      return chat.part(target);
    }
    case 'msg': {
      const to = command.args[0];
      if (!to) return note('error', 'usage: /msg name text');
      const dm = chat.dmWith(to.replace(/^@/, ''));
      chat.switchTo(dm.key);
      if (command.rest) chat.post(dm, command.rest);
      return;
    }
    case 'me':
      if (!command.tail) return note('error', 'usage: /me action');
      if (!conv || conv.kind !== 'room') return note('error', '/me works in rooms; in a direct message just say it.');
      return chat.post(conv, command.tail, true);
    case 'nick':
      if (!command.args[0]) return note('error', 'usage: /nick name');
      if (!chat.send({ type: 'nick', name: command.args[0], id: 'nick' })) note('error', 'Not connected.');
      return;
    case 'who': {
      const room = command.args[0] ? roomName(command.args[0]) : conv?.kind === 'room' ? conv.name : null;
      if (!room) return note('error', 'usage: /who #room');
      chat.whoNotice.add(room);
      if (!chat.send({ type: 'who', room, id: `who:${room}` })) note('error', 'Not connected.');
      return;
    }
    case 'rooms':
      chat.roomsNotice = true;
      if (!chat.send({ type: 'rooms', id: 'rooms' })) note('error', 'Not connected.');
      return;
    case 'quiet':
      chat.setQuiet(command.args[0] !== 'off');
      return note('info', chat.quiet ? 'Join and leave notices are hidden (/quiet off shows them).' : 'Join and leave notices are shown.');
    case 'mute':
      if (!conv) return;
      if ((command.args[0] === 'off') === conv.muted) chat.toggleMute(conv);
      return note('info', conv.muted ? `${label(conv)} is muted.` : `${label(conv)} is not muted.`);
    case 'clear':
      if (conv) {
        conv.items = conv.items.filter(() => false);
        view.conversationChanged(conv);
      }
      return;
    case 'ping':
      chat.pingStarted = performance.now();
      if (!chat.send({ type: 'ping', id: `user-ping:${chat.nextId++}` })) note('error', 'Not connected.');
      return;
    case 'help':
      for (const line of HELP) note('info', line);
      return;
    case 'quit':
      chat.link.stop();
      view.status('offline');
      return note('info', 'Disconnected. Use "Reconnect now" to come back.');
    default:
      return note('error', `Unknown command /${command.raw}. Type /help for the list; //text sends text starting with /.`);
  }
}

// ---- sidebar, header and list controls ------------------------------------------------------

$('join-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('join-room');
  const room = roomName(input.value);
  if (!ROOM_PATTERN.test(room)) {
    input.setCustomValidity('1 to 32 of a-z, 0-9, - and _');
    input.reportValidity();
    return;
  }
  input.setCustomValidity('');
  input.value = '';
  chat.join(room);
  document.body.classList.remove('rooms-open');
});
$('join-room').addEventListener('input', (e) => e.target.setCustomValidity(''));

$('mute-toggle').addEventListener('click', () => chat.currentConv && chat.toggleMute(chat.currentConv));
$('part-button').addEventListener('click', () => chat.part(chat.currentConv));
$('reconnect-now').addEventListener('click', () => {
  if (chat.link.stopped) chat.link.start(); else chat.link.now();
});
$('load-older').addEventListener('click', () => chat.loadOlder(chat.currentConv));
$('jump-latest').addEventListener('click', () => view.scrollToBottom());

$('scroller').addEventListener('scroll', () => {
  const scroller = $('scroller');
  if (scroller.scrollTop < 120) chat.loadOlder(chat.currentConv);
  if (view.atBottom()) $('jump-latest').hidden = true;
}, { passive: true });

for (const [button, cls] of [['toggle-rooms', 'rooms-open'], ['toggle-members', 'members-open']]) {
  $(button).addEventListener('click', () => {
    const open = document.body.classList.toggle(cls);
    $(button).setAttribute('aria-expanded', String(open));
    if (open) document.querySelector(cls === 'rooms-open' ? '#sidebar button' : '#member-list button')?.focus();
  });
}

// A tap outside an open drawer (on the dimmed page) closes it.
document.addEventListener('click', (event) => {
  if (!document.body.classList.contains('rooms-open') && !document.body.classList.contains('members-open')) return;
  if (event.target.closest('#sidebar, #members, .drawer-toggle')) return;
  document.body.classList.remove('rooms-open', 'members-open');
  $('toggle-rooms').setAttribute('aria-expanded', 'false');
  $('toggle-members').setAttribute('aria-expanded', 'false');
});

function updateNotifyButton() {
  const button = $('notify-toggle');
  if (typeof Notification === 'undefined') {
    button.hidden = true;
    return;
  }
  const p = Notification.permission;
  button.disabled = p !== 'default';
  button.textContent = p === 'granted' ? 'Notifications on' : p === 'denied' ? 'Notifications blocked' : 'Enable notifications';
}
$('notify-toggle').addEventListener('click', async () => {
  await Notification.requestPermission();
  updateNotifyButton();
});
updateNotifyButton();

document.addEventListener('visibilitychange', () => chat.visibilityChanged());
window.addEventListener('online', () => chat.link.now());

// ---- keyboard ------------------------------------------------------------------------------

function step(direction, unreadOnly) {
  const convs = chat.ordered();
  if (convs.length === 0) return;
  const at = convs.findIndex((c) => c.key === chat.current);
  for (let i = 1; i <= convs.length; i += 1) {
    const next = convs[(at + direction * i + convs.length * i) % convs.length];
    if (!unreadOnly || next.unread > 0) {
      chat.switchTo(next.key);
      return;
    }
  }
}

document.addEventListener('keydown', (event) => {
  if (event.altKey && (event.key === 'ArrowUp' || event.key === 'ArrowDown')) {
    event.preventDefault();
    step(event.key === 'ArrowUp' ? -1 : 1, event.shiftKey);
  } else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
    event.preventDefault();
    openSwitcher();
  } else if (event.key === 'Escape' && (document.body.classList.contains('rooms-open') || document.body.classList.contains('members-open'))) {
    document.body.classList.remove('rooms-open', 'members-open');
    $('toggle-rooms').setAttribute('aria-expanded', 'false');
    $('toggle-members').setAttribute('aria-expanded', 'false');
    composer.focus();
  }
});

// ---- Ctrl+K switcher -----------------------------------------------------------------------

const switcher = $('switcher');
const switcherInput = $('switcher-input');
let options = [];
let selected = 0;

function openSwitcher() {
  if (switcher.open) return;
  switcherInput.value = '';
  chat.send({ type: 'rooms', id: 'rooms' });
  fillSwitcher();
  switcher.showModal();
  switcherInput.focus();
}

function fillSwitcher() {
  const query = switcherInput.value.trim().toLowerCase().replace(/^[#@]/, '');
  const mine = chat.ordered().map((c) => ({ label: label(c), key: c.key, unread: c.unread }));
  const others = chat.serverRooms.filter((r) => !chat.convs.get('#' + r.name)?.joined)
    .map((r) => ({ label: `#${r.name}`, join: r.name, hint: `join · ${r.members} here` }));
  options = [...mine, ...others].filter((o) => o.label.slice(1).toLowerCase().includes(query));
  const asRoom = roomName(query);
  if (query && ROOM_PATTERN.test(asRoom) && !options.some((o) => o.label === `#${asRoom}`)) {
    options.push({ label: `#${asRoom}`, join: asRoom, hint: 'join or create' });
  }
  selected = Math.min(selected, Math.max(0, options.length - 1));
  if (!query) selected = Math.max(0, options.findIndex((o) => o.key === chat.current));
  const list = $('switcher-list');
  list.replaceChildren(...options.map((o, i) => {
    const li = document.createElement('li');
    li.id = `switcher-option-${i}`;
    li.setAttribute('role', 'option');
    li.setAttribute('aria-selected', String(i === selected));
    li.dataset.testid = 'switcher-option';
    li.textContent = o.label;
    if (o.unread) li.append(Object.assign(document.createElement('span'), { className: 'badge unread', textContent: String(o.unread) }));
    if (o.hint) li.append(Object.assign(document.createElement('span'), { className: 'hint', textContent: ` ${o.hint}` }));
    li.addEventListener('click', () => choose(i));
    return li;
  }));
  if (options.length) switcherInput.setAttribute('aria-activedescendant', `switcher-option-${selected}`);
  else switcherInput.removeAttribute('aria-activedescendant');
  document.getElementById(`switcher-option-${selected}`)?.scrollIntoView({ block: 'nearest' });
}

function choose(i) {
  const o = options[i];
  switcher.close();
  if (!o) return;
  if (o.key) chat.switchTo(o.key); else chat.join(o.join);
  composer.focus();
}

switcherInput.addEventListener('input', () => { selected = 0; fillSwitcher(); });
switcherInput.addEventListener('keydown', (event) => {
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    if (options.length) selected = (selected + (event.key === 'ArrowDown' ? 1 : -1) + options.length) % options.length;
    const query = switcherInput.value;
    switcherInput.value = query;
    renderSelection();
  } else if (event.key === 'Enter') {
    event.preventDefault();
    choose(selected);
  }
});
function renderSelection() {
  for (const li of $('switcher-list').children) li.setAttribute('aria-selected', String(li.id === `switcher-option-${selected}`));
  switcherInput.setAttribute('aria-activedescendant', `switcher-option-${selected}`);
  document.getElementById(`switcher-option-${selected}`)?.scrollIntoView({ block: 'nearest' });
}
switcher.addEventListener('close', () => composer.focus());
switcher.addEventListener('click', (event) => { if (event.target === switcher) switcher.close(); });
document.addEventListener('sockchat:server-rooms', () => { if (switcher.open) fillSwitcher(); });

// ---- start ---------------------------------------------------------------------------------

if (chat.me) {
  chat.login(chat.me, '');
} else {
  view.showLogin({});
}

// The DOM side: renders the Chat state. Every piece of chat text goes in through textContent or
// text nodes (text.js); nothing is ever assigned to innerHTML.
import { renderText, colourOf, timeElement, dayKey, dayLabel } from './text.js';

const GROUP_MS = 5 * 60 * 1000;
const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function nameEl(name, extra = '') {
  const bdi = el('bdi', `from ${colourOf(name)} ${extra}`.trim(), name);
  return bdi;
}

export class View {
  constructor() {
    this.chat = null;
    this.list = $('message-list');
    this.scroller = $('scroller');
    this.lastRendered = null;
    this.renderedKey = null;
    this.countdown = null;
  }

  attach(chat) {
    this.chat = chat;
  }

  // ---- screens ----------------------------------------------------------------------------

  showLogin({ name = '', error = '', needPassword = false } = {}) {
    $('chat').hidden = true;
    $('login').hidden = false;
    $('login-name').value = name;
    $('login-error').textContent = error;
    if (needPassword) $('login-password-row').hidden = false;
    const focus = needPassword ? $('login-password') : $('login-name');
    focus.focus();
    if (needPassword) $('login-password').select();
  }

  showChat() {
    $('login').hidden = true;
    $('chat').hidden = false;
    $('composer').focus();
  }

  setMe(name) {
    $('my-name').textContent = name;
  }

  status(state, seconds) {
    const box = $('connection-status');
    box.dataset.state = state;
    clearInterval(this.countdown);
    const text = $('connection-text');
    const again = $('reconnect-now');
    again.hidden = state !== 'reconnecting' && state !== 'offline';
    const labels = { connecting: 'Connecting…', syncing: 'Catching up…', connected: 'Connected', offline: 'Offline' };
    if (state === 'reconnecting') {
      let left = seconds;
      const tick = () => { text.textContent = left > 0 ? `Reconnecting in ${left} s…` : 'Reconnecting…'; left -= 1; };
      tick();
      this.countdown = setInterval(() => { if (left >= 0) tick(); else clearInterval(this.countdown); }, 1000);
    } else {
      text.textContent = labels[state] ?? state;
    }
    document.body.dataset.connection = state;
    this.pendingChanged();
  }

  titleChanged() {
    let unread = 0;
    let mentions = 0;
    for (const c of this.chat.convs.values()) {
      if (c.muted) continue;
      unread += c.unread;
      mentions += c.mentions;
    }
    const prefix = mentions > 0 ? `(${mentions}!) ` : unread > 0 ? `(${unread}) ` : '';
    const conv = this.chat.currentConv;
    document.title = `${prefix}${conv ? label(conv) + ' – ' : ''}sockchat`;
  }

  // ---- sidebar and header -----------------------------------------------------------------

  convsChanged() {
    const rooms = [];
    const dms = [];
    for (const conv of this.chat.ordered()) (conv.kind === 'room' ? rooms : dms).push(this.entry(conv));
    $('room-list').replaceChildren(...rooms);
    $('dm-list').replaceChildren(...dms);
    $('dm-empty').hidden = dms.length > 0;
    const conv = this.chat.currentConv;
    $('room-title').textContent = conv ? label(conv) : 'sockchat';
    const mute = $('mute-toggle');
    mute.disabled = !conv;
    mute.setAttribute('aria-pressed', String(conv?.muted === true));
    mute.textContent = conv?.muted ? 'Unmute' : 'Mute';
    const part = $('part-button');
    part.disabled = !conv;
    part.textContent = conv?.kind === 'dm' ? 'Close' : 'Leave';
    this.titleChanged();
  }

  entry(conv) {
    const li = el('li');
    const button = el('button', 'conv-entry');
    button.type = 'button';
    button.dataset.testid = conv.kind === 'room' ? 'room-entry' : 'dm-entry';
    button.dataset.key = conv.key;
    button.dataset[conv.kind === 'room' ? 'room' : 'peer'] = conv.name;
    if (conv.key === this.chat.current) button.setAttribute('aria-current', 'page');
    if (conv.muted) button.classList.add('muted');
    if (conv.unread > 0) button.classList.add('has-unread');
    const name = el('span', 'conv-name');
    if (conv.kind === 'room') name.append(el('span', 'sigil', '#'), document.createTextNode(conv.name));
    else name.append(el('span', 'sigil', '@'), nameEl(conv.name));
    const mention = el('span', 'badge mention', String(conv.mentions));
    mention.dataset.testid = 'mention-badge';
    // In a DM every message is for you: one red count, no separate mention badge.
    mention.hidden = conv.mentions === 0 || conv.kind === 'dm';
    mention.setAttribute('aria-hidden', 'true');
    const unread = el('span', 'badge unread', String(conv.unread));
    unread.dataset.testid = 'unread-badge';
    unread.hidden = conv.unread === 0;
    if (conv.kind === 'dm') unread.classList.add('alert');
    unread.setAttribute('aria-hidden', 'true');
    const parts = [label(conv)];
    if (conv.unread) parts.push(`${conv.unread} unread`);
    if (conv.mentions) parts.push(conv.kind === 'dm' ? 'new' : `${conv.mentions} mention${conv.mentions === 1 ? '' : 's'}`);
    if (conv.muted) parts.push('muted');
    // The counts are said by hidden text after the visible name, not by an aria-label: a label
    // that replaces the visible text ("#dev" "2") would not contain it as spoken (WCAG 2.5.3).
    if (parts.length > 1) name.append(el('span', 'visually-hidden', parts.slice(1).map((p) => `, ${p}`).join('')));
    button.append(name, mention, unread);
    button.addEventListener('click', () => {
      this.chat.switchTo(conv.key);
      document.body.classList.remove('rooms-open');
      $('toggle-rooms').setAttribute('aria-expanded', 'false');
      $('composer').focus();
    });
    li.append(button);
    return li;
  }

  membersChanged(conv) {
    if (!conv || conv.key !== this.chat.current) return;
    const me = this.chat.me.toLowerCase();
    const names = [...conv.members].sort((a, b) => {
      const am = a.toLowerCase() === me; const bm = b.toLowerCase() === me;
      return am !== bm ? (am ? -1 : 1) : a.localeCompare(b);
    });
    const items = names.map((n) => {
      const li = el('li');
      const button = el('button', 'member');
      button.type = 'button';
      button.dataset.testid = 'member';
      button.dataset.name = n;
      button.append(nameEl(n));
      const self = n.toLowerCase() === me;
      if (self) {
        button.append(el('span', 'hint', ' (you)'));
        button.disabled = true;
      } else {
        button.setAttribute('aria-label', `${n}: send a direct message`);
        button.addEventListener('click', () => {
          this.chat.switchTo(this.chat.dmWith(n).key);
          document.body.classList.remove('members-open');
          $('composer').focus();
        });
      }
      li.append(button);
      return li;
    });
    $('member-list').replaceChildren(...items);
    $('member-count').textContent = `(${names.length})`;
  }

  serverRoomsChanged() {
    document.dispatchEvent(new CustomEvent('sockchat:server-rooms'));
  }

  // ---- messages ---------------------------------------------------------------------------

  conversationChanged(conv) {
    this.renderAll(conv);
    this.scrollToBottom();
    this.olderChanged(conv);
    this.pendingChanged();
  }

  renderAll(conv) {
    this.list.setAttribute('aria-busy', 'true');
    this.list.replaceChildren();
    this.lastRendered = null;
    this.renderedKey = conv?.key ?? null;
    if (conv) {
      const fragment = document.createDocumentFragment();
      for (const item of conv.items) this.appendItem(fragment, conv, item);
      this.list.append(fragment);
    }
    this.list.removeAttribute('aria-busy');
  }

  appended(conv, item) {
    if (conv.key !== this.renderedKey) return;
    const stick = this.atBottom() || item.mine;
    this.appendItem(this.list, conv, item);
    if (stick) this.scrollToBottom(); else $('jump-latest').hidden = false;
  }

  /** Older messages arrived above: re-render and keep what the user was reading where it was. */
  prepended(conv) {
    if (conv.key !== this.renderedKey) return;
    const fromBottom = this.scroller.scrollHeight - this.scroller.scrollTop;
    this.renderAll(conv);
    this.scroller.scrollTop = this.scroller.scrollHeight - fromBottom;
  }

  appendItem(parent, conv, item) {
    if (item.kind === 'presence' && this.chat.quiet) return;
    const prev = this.lastRendered;
    if (!prev || dayKey(prev.ts) !== dayKey(item.ts)) {
      const day = el('div', 'day-divider');
      day.setAttribute('role', 'separator');
      day.append(el('span', '', dayLabel(item.ts)));
      parent.append(day);
    }
    let grouped = prev !== null && prev.kind === 'msg' && item.kind === 'msg' && !prev.action && !item.action
      && prev.from === item.from && Date.parse(item.ts) - Date.parse(prev.ts) < GROUP_MS && dayKey(prev.ts) === dayKey(item.ts);
    if (conv.markerUid === item.uid) {
      const marker = el('div', 'new-messages');
      marker.setAttribute('role', 'separator');
      marker.setAttribute('aria-label', 'New messages');
      marker.dataset.testid = 'new-messages-line';
      marker.append(el('span', '', 'New messages'));
      parent.append(marker);
      grouped = false;
    }
    parent.append(item.kind === 'msg' ? this.messageEl(conv, item, grouped) : this.noticeEl(item));
    this.lastRendered = item;
  }

  messageEl(conv, item, grouped) {
    const div = el('div', 'item msg');
    div.dataset.testid = 'message';
    if (item.seq !== undefined) div.dataset.seq = String(item.seq);
    div.dataset.from = item.from;
    div.dataset.room = conv.name;
    if (grouped) div.classList.add('grouped');
    if (item.mine) div.classList.add('mine');
    if (item.mention) {
      div.classList.add('mention');
      div.dataset.mention = 'true';
    }
    const time = timeElement(item.ts);
    time.classList.add('ts');
    const text = el('div', 'text');
    text.dir = 'auto';
    if (item.action) {
      div.classList.add('action');
      div.dataset.action = 'true';
      text.append(el('span', 'bullet', '• '), nameEl(item.from), document.createTextNode(' '));
      const body = el('span');
      body.dir = 'auto';
      renderText(body, item.text, item.mine ? null : this.chat.mentionRe);
      text.append(body);
      div.append(time, text);
      return div;
    }
    if (grouped) {
      div.append(time, el('span', 'visually-hidden', `${item.from}: `), text);
    } else {
      const meta = el('div', 'meta');
      meta.append(nameEl(item.from), document.createTextNode(' '), time);
      div.append(meta, text);
    }
    renderText(text, item.text, item.mine ? null : this.chat.mentionRe);
    return div;
  }

  noticeEl(item) {
    const div = el('div', `item notice ${item.kind}`);
    div.dataset.testid = item.kind === 'gap' ? 'gap' : 'notice';
    div.dataset.kind = item.kind;
    if (item.kind === 'gap') {
      div.setAttribute('role', 'note');
      div.dataset.from = String(item.from);
      div.dataset.to = String(item.to);
    }
    const time = timeElement(item.ts);
    time.classList.add('ts');
    const text = el('span', 'text', item.text);
    text.dir = 'auto';
    div.append(time, text);
    return div;
  }

  pendingChanged() {
    const conv = this.chat?.currentConv;
    const online = this.chat?.phase === 'live';
    const items = (this.chat?.pending ?? []).filter((p) => p.key === conv?.key).map((p) => {
      const li = el('li', 'item msg pending');
      li.dataset.testid = 'pending-message';
      li.dataset.state = p.sent ? 'sending' : 'waiting';
      const text = el('div', 'text');
      text.dir = 'auto';
      if (p.frame.action) text.append(el('span', 'bullet', '• '), nameEl(this.chat.me), document.createTextNode(' '));
      text.append(document.createTextNode(p.text));
      li.append(text, el('span', 'hint pending-state', p.sent && online ? 'sending…' : 'will be sent when the connection is back'));
      return li;
    });
    const stick = this.atBottom();
    $('pending-list').replaceChildren(...items);
    if (stick) this.scrollToBottom();
  }

  olderChanged(conv) {
    if (!conv || conv.key !== this.chat.current) {
      $('load-older').hidden = true;
      $('older-status').textContent = '';
      return;
    }
    const more = conv.kind === 'room' && conv.hasMore && !(conv.minSeq <= 1);
    $('load-older').hidden = !more || conv.loadingOlder;
    $('older-status').textContent = conv.loadingOlder ? 'Loading older messages…'
      : conv.kind === 'room' && !more && conv.items.some((i) => i.seq !== undefined) ? 'Beginning of the history' : '';
    // A short page leaves nothing to scroll: fetch more until the list fills the screen.
    if (more && !conv.loadingOlder && this.scroller.scrollHeight <= this.scroller.clientHeight + 40) {
      queueMicrotask(() => this.chat.loadOlder(conv));
    }
  }

  atBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 48;
  }

  scrollToBottom() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
    $('jump-latest').hidden = true;
  }

  notify(conv, item) {
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    const title = conv.kind === 'dm' ? `${item.from} (direct message)` : `${item.from} in #${conv.name}`;
    const n = new Notification(title, { body: item.text.slice(0, 200), tag: conv.key });
    n.onclick = () => {
      window.focus();
      this.chat.switchTo(conv.key);
      n.close();
    };
  }
}

export function label(conv) {
  return conv.kind === 'room' ? `#${conv.name}` : `@${conv.name}`;
}

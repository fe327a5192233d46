// The chat state and the JSON dialect of docs/protocol.md: conversations (rooms and DMs), the
// messages in them deduplicated by room + seq, unread counts, and the outbox of messages not yet
// acknowledged, which survives reconnects. The view reads this state; Chat tells it what changed.
import { Link } from './link.js';
import { clean, mentionPattern, mentions, roomName, ROOM_PATTERN, listNames, utf8Length } from './text.js';
import * as store from './store.js';

const NAME_REFUSALS_BEFORE_ASKING = 5;

export class Chat {
  constructor(view, url) {
    this.view = view;
    this.link = new Link(url, {
      open: () => this.onOpen(),
      frame: (f) => this.onFrame(f),
      close: (info) => this.onClose(info),
      waiting: (seconds) => this.view.status('reconnecting', seconds),
    });
    this.me = store.load('name', '');
    this.password = '';
    this.mentionRe = mentionPattern(this.me);
    /** @type {Map<string, object>} key '#room' or '@name' */
    this.convs = new Map();
    this.current = null;
    this.pending = [];
    this.nextId = 1;
    this.nextUid = 1;
    this.phase = 'idle'; // idle → handshake → syncing → live
    this.welcomedBefore = false;
    this.nameRefusals = 0;
    this.syncId = null;
    this.pingStarted = 0;
    this.maxLineBytes = 16384;
    this.muted = new Set(store.load('muted', []));
    this.quiet = store.load('quiet', false);
    this.read = store.load('read', {});
    this.wantRooms = store.load('rooms', ['general']);
    this.wantCurrent = store.load('current', null);
    this.serverRooms = [];
    this.whoNotice = new Set();
    this.roomsNotice = false;
    this.switchOnJoin = null;
    this.saveReadTimer = null;
  }

  // ---- connection -------------------------------------------------------------------------

  login(name, password) {
    this.me = name;
    this.password = password ?? '';
    this.mentionRe = mentionPattern(name);
    store.save('name', name);
    this.view.showChat();
    this.view.setMe(name);
    this.view.status('connecting');
    this.link.stop();
    this.link.start();
  }

  logout() {
    this.link.stop();
    store.forget('name');
    this.welcomedBefore = false;
    this.convs.clear();
    this.current = null;
    this.pending = [];
    this.view.showLogin({ name: this.me });
  }

  onOpen() {
    this.phase = 'handshake';
    this.view.status('connecting');
    const rooms = this.joinedRooms();
    const first = rooms[0]?.name ?? this.wantRooms.find((r) => ROOM_PATTERN.test(r)) ?? 'general';
    const hello = { type: 'hello', name: this.me, room: first };
    if (this.password) hello.password = this.password;
    const conv = this.convs.get('#' + first);
    if (this.welcomedBefore && conv?.joined) hello.since = { [first]: conv.maxSeq };
    this.link.send(hello);
  }

  onClose() {
    const was = this.phase;
    this.phase = 'idle';
    for (const p of this.pending) p.sent = false;
    this.view.pendingChanged();
    if (this.link.stopped) {
      if (was !== 'idle') this.view.status('offline');
    }
  }

  send(frame) {
    return this.phase !== 'idle' && this.link.send(frame);
  }

  onFrame(f) {
    const handler = HANDLERS[f.type];
    if (handler) handler.call(this, f);
  }

  // ---- conversations ----------------------------------------------------------------------

  room(name) {
    const key = '#' + name;
    let conv = this.convs.get(key);
    if (!conv) {
      conv = this.newConv(key, 'room', name);
      conv.joined = false;
    }
    return conv;
  }

  dmWith(peer) {
    const key = '@' + peer.toLowerCase();
    let conv = this.convs.get(key);
    if (!conv) {
      conv = this.newConv(key, 'dm', peer);
      conv.members = new Set([this.me, peer]);
      this.view.convsChanged();
    }
    return conv;
  }

  newConv(key, kind, name) {
    const conv = {
      key, kind, name, items: [], seqs: new Set(), minSeq: Infinity, maxSeq: 0,
      unread: 0, mentions: 0, hasMore: kind === 'room', loadingOlder: false,
      members: new Set(), markerUid: null, joined: true, muted: this.muted.has(key),
    };
    this.convs.set(key, conv);
    return conv;
  }

  joinedRooms() {
    return [...this.convs.values()].filter((c) => c.kind === 'room' && c.joined);
  }

  /** Rooms, then DMs, in sidebar order. */
  ordered() {
    const rooms = this.joinedRooms().sort((a, b) => a.name.localeCompare(b.name));
    const dms = [...this.convs.values()].filter((c) => c.kind === 'dm').sort((a, b) => a.name.localeCompare(b.name));
    return [...rooms, ...dms];
  }

  get currentConv() {
    return this.current ? this.convs.get(this.current) ?? null : null;
  }

  /** Whether the user is looking at conv right now. */
  viewing(conv) {
    return conv.key === this.current && !document.hidden;
  }

  switchTo(key) {
    const conv = this.convs.get(key);
    if (!conv) return;
    this.current = key;
    store.save('current', key);
    this.catchUp(conv, true);
    this.view.convsChanged();
    this.view.conversationChanged(conv);
    this.view.membersChanged(conv);
    if (conv.kind === 'room' && this.phase === 'live') this.send({ type: 'who', room: conv.name });
  }

  /** The user sees conv: place the "new messages" line before the first unseen item, clear the counts. */
  catchUp(conv, placeMarker) {
    if (placeMarker) {
      const first = conv.items.find((i) => i.unseen);
      conv.markerUid = first ? first.uid : null;
    }
    for (const item of conv.items) item.unseen = false;
    conv.unread = 0;
    conv.mentions = 0;
    if (conv.kind === 'room' && conv.maxSeq > 0) this.markRead(conv.name, conv.maxSeq);
    this.view.titleChanged();
  }

  visibilityChanged() {
    const conv = this.currentConv;
    if (!document.hidden && conv) {
      this.catchUp(conv, false);
      this.view.convsChanged();
    }
    if (!document.hidden) this.link.now();
  }

  markRead(room, seq) {
    if ((this.read[room] ?? 0) >= seq) return;
    this.read[room] = seq;
    clearTimeout(this.saveReadTimer);
    this.saveReadTimer = setTimeout(() => store.save('read', this.read), 500);
  }

  saveRooms() {
    this.wantRooms = this.joinedRooms().map((c) => c.name);
    store.save('rooms', this.wantRooms);
  }

  toggleMute(conv) {
    conv.muted = !conv.muted;
    if (conv.muted) this.muted.add(conv.key); else this.muted.delete(conv.key);
    store.save('muted', [...this.muted]);
    this.view.convsChanged();
  }

  setQuiet(quiet) {
    this.quiet = quiet;
    store.save('quiet', quiet);
    const conv = this.currentConv;
    if (conv) this.view.conversationChanged(conv);
  }

  // ---- items ------------------------------------------------------------------------------

  /** Adds a non-message line (presence, info, error, gap) at the end of conv. */
  note(conv, kind, text, extra = {}) {
    if (!conv) return;
    const item = { kind, uid: this.nextUid++, ts: extra.ts ?? new Date().toISOString(), text, ...extra };
    conv.items.push(item);
    if (conv.key === this.current) this.view.appended(conv, item);
  }

  noteCurrent(kind, text) {
    this.note(this.currentConv ?? this.ordered()[0], kind, text);
  }

  /** A message: counted unseen unless the user is looking; a mention or DM may notify. */
  addMessage(conv, item, { history = false } = {}) {
    item.uid = this.nextUid++;
    let where = 'append';
    const items = conv.items;
    if (item.seq !== undefined) {
      if (conv.seqs.has(item.seq)) return false;
      conv.seqs.add(item.seq);
      if (conv.maxSeq > 0 && item.seq < conv.minSeq) {
        where = 'prepend';
        items.unshift(item);
      } else if (conv.maxSeq > 0 && item.seq < conv.maxSeq) {
        where = 'insert';
        const at = items.findIndex((i) => i.seq !== undefined && i.seq > item.seq);
        items.splice(at, 0, item);
      } else {
        items.push(item);
      }
      conv.minSeq = Math.min(conv.minSeq, item.seq);
      conv.maxSeq = Math.max(conv.maxSeq, item.seq);
    } else {
      items.push(item);
    }

    // Live messages are new unless seen; replayed ones only when newer than what this browser
    // last showed of the room (the replay after a reconnect, or a reload).
    const known = conv.kind === 'room' ? this.read[conv.name] : undefined;
    const fresh = where === 'append' && !item.mine && (!history || (known !== undefined && item.seq > known));
    if (fresh) {
      if (this.viewing(conv)) {
        if (history && conv.markerUid === null) conv.markerUid = item.uid;
      } else {
        item.unseen = true;
        conv.unread += 1;
        if (item.mention || conv.kind === 'dm') conv.mentions += 1;
        if (conv.key === this.current && conv.markerUid === null) conv.markerUid = item.uid;
      }
    }
    if (this.viewing(conv) && conv.kind === 'room') this.markRead(conv.name, conv.maxSeq);
    if (fresh && !history && (item.mention || conv.kind === 'dm') && !conv.muted && document.hidden) {
      this.view.notify(conv, item);
    }
    if (conv.key === this.current) {
      if (where === 'append') this.view.appended(conv, item); else this.view.prepended(conv);
    }
    if (fresh) {
      this.view.convsChanged();
      this.view.titleChanged();
    }
    return true;
  }

  messageItem(f, extra = {}) {
    const text = clean(f.text);
    const mine = sameName(f.from, this.me);
    return {
      kind: 'msg', seq: typeof f.seq === 'number' ? f.seq : undefined, ts: f.ts, from: clean(f.from), text,
      action: f.action === true, mine, mention: !mine && mentions(text, this.mentionRe), ...extra,
    };
  }

  // ---- sending ----------------------------------------------------------------------------

  /** Queues one message for conv; it is sent now when connected, else once on reconnect. */
  post(conv, text, action = false) {
    if (!text.trim()) return;
    const id = `m${this.nextId++}`;
    const frame = conv.kind === 'room'
      ? { type: 'say', room: conv.name, text, id, ...(action ? { action: true } : {}) }
      : { type: 'dm', to: conv.name, text, id };
    if (utf8Length(JSON.stringify(frame)) > this.maxLineBytes) {
      this.note(conv, 'error', `Not sent: the message is longer than the server takes (${this.maxLineBytes} bytes).`);
      return;
    }
    const p = { id, key: conv.key, frame, text: clean(text), sent: false };
    this.pending.push(p);
    if (this.phase === 'live') p.sent = this.send(frame);
    this.view.pendingChanged();
  }

  flushPending() {
    for (const p of this.pending) {
      if (!p.sent) p.sent = this.send(p.frame);
    }
    this.view.pendingChanged();
  }

  /** The server's echo of one of our messages (live or replayed): that message is delivered. */
  delivered(key, text) {
    const at = this.pending.findIndex((p) => p.key === key && p.text.trim() === text.trim());
    if (at >= 0) {
      this.pending.splice(at, 1);
      this.view.pendingChanged();
    }
  }

  join(name, { switchTo = true } = {}) {
    const room = roomName(name);
    if (!ROOM_PATTERN.test(room)) {
      this.noteCurrent('error', `"${name}" is not a room name: 1 to 32 of a-z, 0-9, - and _.`);
      return;
    }
    const conv = this.convs.get('#' + room);
    if (conv?.joined) {
      if (switchTo) this.switchTo(conv.key);
      return;
    }
    if (switchTo) this.switchOnJoin = room;
    if (!this.send({ type: 'join', room, id: `join:${room}` })) {
      this.noteCurrent('error', 'Not connected; join again once the connection is back.');
    }
  }

  part(conv) {
    if (!conv) return;
    if (conv.kind === 'dm') {
      this.convs.delete(conv.key);
      this.afterRemoval(conv);
      return;
    }
    this.send({ type: 'part', room: conv.name, id: `part:${conv.name}` });
  }

  afterRemoval(conv) {
    this.pending = this.pending.filter((p) => p.key !== conv.key);
    if (this.current === conv.key) {
      const next = this.ordered()[0];
      this.current = null;
      if (next) this.switchTo(next.key); else this.view.conversationChanged(null);
    }
    this.view.convsChanged();
    this.view.pendingChanged();
  }

  loadOlder(conv) {
    if (!conv || conv.kind !== 'room' || !conv.hasMore || conv.loadingOlder || this.phase !== 'live') return;
    if (conv.minSeq === Infinity || conv.minSeq <= 1) {
      conv.hasMore = false;
      this.view.olderChanged(conv);
      return;
    }
    conv.loadingOlder = true;
    this.send({ type: 'history', room: conv.name, before: conv.minSeq, limit: 50, id: `older:${conv.name}` });
    this.view.olderChanged(conv);
  }
}

function sameName(a, b) {
  return typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
}

// ---- frames from the server, one handler each (this = Chat) -------------------------------

const HANDLERS = {
  welcome(f) {
    const reconnect = this.welcomedBefore;
    this.welcomedBefore = true;
    this.me = f.name ?? this.me;
    this.mentionRe = mentionPattern(this.me);
    store.save('name', this.me);
    this.view.setMe(this.me);
    this.nameRefusals = 0;
    this.link.settled();
    this.maxLineBytes = f.limits?.maxLineBytes ?? this.maxLineBytes;
    const welcomed = (f.rooms ?? []).map(roomName);
    for (const name of welcomed) this.room(name).joined = true;
    // Back into every other room, each with its own since so the replay is exactly what was missed.
    const others = reconnect ? this.joinedRooms().map((c) => c.name) : this.wantRooms;
    for (const name of others) {
      if (welcomed.includes(name) || !ROOM_PATTERN.test(name)) continue;
      const conv = this.convs.get('#' + name);
      const frame = { type: 'join', room: name, id: `join:${name}` };
      if (reconnect && conv) frame.since = conv.maxSeq;
      this.send(frame);
    }
    const back = !reconnect && typeof this.wantCurrent === 'string' && this.wantCurrent.startsWith('#') ? this.wantCurrent.slice(1) : null;
    if (back && !welcomed.includes(back) && this.wantRooms.includes(back)) this.switchOnJoin = back;
    if (!this.current || !this.convs.has(this.current)) {
      const wanted = this.wantCurrent && this.convs.has(this.wantCurrent) ? this.wantCurrent : '#' + (welcomed[0] ?? 'general');
      this.switchTo(wanted);
    }
    if (f.motd && !reconnect) this.note(this.convs.get('#' + welcomed[0]), 'info', clean(f.motd));
    // The server answers frames in order, after any replay it is streaming: the pong says the
    // replays are complete, so what is still pending was not delivered and is sent now.
    this.phase = 'syncing';
    this.syncId = `sync:${this.nextId++}`;
    this.send({ type: 'ping', id: this.syncId });
    this.view.status('syncing');
    this.view.convsChanged();
  },

  msg(f) {
    if (typeof f.room !== 'string') return;
    const conv = this.room(roomName(f.room));
    const item = this.messageItem(f);
    if (item.mine) this.delivered(conv.key, item.text);
    this.addMessage(conv, item, { history: f.history === true });
  },

  dm(f) {
    const mine = sameName(f.from, this.me);
    const peer = clean(mine ? f.to : f.from);
    if (!peer) return;
    const conv = this.dmWith(peer);
    const item = this.messageItem(f);
    if (mine) this.delivered(conv.key, item.text);
    this.addMessage(conv, item);
  },

  ack(f) {
    const at = this.pending.findIndex((p) => p.id === f.id);
    if (at >= 0) {
      this.pending.splice(at, 1);
      this.view.pendingChanged();
    }
  },

  joined(f) {
    const conv = this.room(roomName(f.room));
    const names = (Array.isArray(f.names) ? f.names : [f.name]).filter((n) => typeof n === 'string').map(clean);
    const others = names.filter((n) => !sameName(n, this.me));
    if (others.length < names.length && !conv.joined) {
      conv.joined = true;
      conv.members.add(this.me);
      this.saveRooms();
      this.view.convsChanged();
      if (this.switchOnJoin === conv.name) {
        this.switchOnJoin = null;
        this.switchTo(conv.key);
      }
    }
    // Someone already listed (back after a server restart or their own reconnect) is not news.
    const arrived = others.filter((n) => ![...conv.members].some((m) => sameName(m, n)));
    for (const n of arrived) conv.members.add(n);
    if (arrived.length > 0) {
      const count = typeof f.count === 'number' && names.length === others.length && arrived.length === others.length ? f.count : arrived.length;
      this.note(conv, 'presence', `${listNames(arrived, count)} joined`, { ts: f.ts });
      if (conv.key === this.current) this.view.membersChanged(conv);
    }
  },

  left(f) {
    const conv = this.convs.get('#' + roomName(f.room));
    if (!conv) return;
    const names = (Array.isArray(f.names) ? f.names : [f.name]).filter((n) => typeof n === 'string').map(clean);
    const others = names.filter((n) => !sameName(n, this.me));
    if (others.length < names.length && !f.reason) {
      conv.joined = false;
      this.convs.delete(conv.key);
      this.saveRooms();
      this.afterRemoval(conv);
      return;
    }
    for (const n of others) conv.members.delete(n);
    if (others.length > 0) {
      const reason = f.reason ? ` (${clean(f.reason)})` : '';
      this.note(conv, 'presence', `${listNames(others, f.count)} left${reason}`, { ts: f.ts });
      if (conv.key === this.current) this.view.membersChanged(conv);
    }
  },

  nick(f) {
    const from = clean(f.old);
    const to = clean(f.new);
    if (sameName(from, this.me)) {
      this.me = to;
      this.mentionRe = mentionPattern(to);
      store.save('name', to);
      this.view.setMe(to);
    }
    for (const conv of this.convs.values()) {
      const had = [...conv.members].find((m) => sameName(m, from));
      if (had === undefined) continue;
      conv.members.delete(had);
      conv.members.add(to);
      this.note(conv, 'presence', `${from} is now known as ${to}`, { ts: f.ts });
    }
    const dm = this.convs.get('@' + from.toLowerCase());
    if (dm) {
      this.convs.delete(dm.key);
      dm.key = '@' + to.toLowerCase();
      dm.name = to;
      this.convs.set(dm.key, dm);
      if (this.current === '@' + from.toLowerCase()) this.current = dm.key;
    }
    this.view.convsChanged();
    const current = this.currentConv;
    if (current) this.view.membersChanged(current);
  },

  who(f) {
    const name = roomName(f.room);
    const conv = this.convs.get('#' + name);
    const names = (f.names ?? []).map(clean);
    if (conv) {
      conv.members = new Set(names);
      if (conv.key === this.current) this.view.membersChanged(conv);
    }
    if (this.whoNotice.delete(name)) this.noteCurrent('info', `In #${name}: ${names.join(', ') || 'nobody'}`);
  },

  rooms(f) {
    this.serverRooms = (f.rooms ?? []).filter((r) => typeof r?.name === 'string').map((r) => ({ name: roomName(r.name), members: r.members ?? 0 }));
    this.view.serverRoomsChanged();
    if (this.roomsNotice) {
      this.roomsNotice = false;
      this.noteCurrent('info', `Rooms: ${this.serverRooms.map((r) => `#${r.name} (${r.members})`).join(', ')}`);
    }
  },

  history(f) {
    const conv = this.convs.get('#' + roomName(f.room));
    if (!conv) return;
    conv.loadingOlder = false;
    const messages = Array.isArray(f.messages) ? f.messages : [];
    let added = 0;
    // Oldest first in the page; prepend from the newest down so each lands before the last.
    for (const m of [...messages].reverse()) {
      if (typeof m.seq === 'number' && this.addMessage(conv, this.messageItem({ ...m, room: conv.name }), { history: true })) added += 1;
    }
    if (messages.length === 0 || conv.minSeq <= 1) conv.hasMore = false;
    this.view.olderChanged(conv, added);
  },

  gap(f) {
    const conv = this.room(roomName(f.room));
    const count = f.to - f.from + 1;
    this.note(conv, 'gap', `${count} message${count === 1 ? '' : 's'} you missed here ${count === 1 ? 'is' : 'are'} no longer kept (seq ${f.from} to ${f.to}).`, { from: f.from, to: f.to });
  },

  error(f) {
    const message = clean(f.message ?? f.code);
    if (this.phase === 'handshake') {
      handshakeRefused.call(this, f.code, message);
      return;
    }
    const id = typeof f.id === 'string' ? f.id : '';
    const pending = this.pending.find((p) => p.id === id);
    if (pending) {
      this.pending = this.pending.filter((p) => p !== pending);
      this.view.pendingChanged();
      if (f.code === 'rate_limited') {
        // Too fast: put it back and send it again in a moment.
        pending.sent = false;
        this.pending.unshift(pending);
        setTimeout(() => this.flushPending(), 1000);
        return;
      }
      this.note(this.convs.get(pending.key), 'error', `Not sent (${f.code}): ${message}`);
      return;
    }
    if (id.startsWith('older:')) {
      const conv = this.convs.get('#' + id.slice(6));
      if (conv) {
        conv.loadingOlder = false;
        conv.hasMore = false;
        this.view.olderChanged(conv);
      }
      return;
    }
    if (id.startsWith('join:') && this.switchOnJoin === id.slice(5)) this.switchOnJoin = null;
    this.noteCurrent('error', `${f.code}: ${message}`);
  },

  notice(f) {
    this.noteCurrent('info', clean(f.text));
  },

  shutdown(f) {
    for (const conv of this.joinedRooms()) {
      this.note(conv, 'error', `The server is shutting down${f.reason ? ` (${clean(f.reason)})` : ''}; reconnecting when it is back.`);
    }
  },

  ping(f) {
    this.send({ type: 'pong', id: f.id });
  },

  pong(f) {
    if (f.id === this.syncId && this.phase === 'syncing') {
      this.phase = 'live';
      this.syncId = null;
      this.flushPending();
      this.view.status('connected');
      const conv = this.currentConv;
      if (conv?.kind === 'room') this.send({ type: 'who', room: conv.name });
    } else if (typeof f.id === 'string' && f.id.startsWith('user-ping:') && this.pingStarted) {
      this.noteCurrent('info', `pong from the server in ${Math.round(performance.now() - this.pingStarted)} ms`);
      this.pingStarted = 0;
    }
  },
};

/** The server refused the hello: ask the user, or (a name still held by our own dropped connection) retry. */
function handshakeRefused(code, message) {
  if (code === 'name_taken' && this.welcomedBefore && this.nameRefusals < NAME_REFUSALS_BEFORE_ASKING) {
    this.nameRefusals += 1;
    return; // the server closes; the link retries with backoff
  }
  if (code === 'server_full' || code === 'timeout' || code === 'rate_limited' || code === 'server_error') return;
  this.link.stop();
  this.phase = 'idle';
  this.view.status('offline');
  this.view.showLogin({
    name: this.me,
    error: code === 'auth_failed' ? (this.password ? 'Wrong password; try again.' : 'This server needs a password.') : message,
    needPassword: code === 'auth_failed',
  });
}

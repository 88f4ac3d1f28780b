//! The Lua scripts that change a shared room. Each runs atomically in Redis, so a room's seats, its members
//! and the news of a change (published to the other instances' buses in the same script) can never disagree:
//! nobody sees a member before the script that added it has told everyone, and two joins racing for the last
//! seat are simply run one after the other.
//!
//! Keys: `sig:room:<room>` is a hash, peer id -> owner (`<instance>/<connection>`), expiring `ttl` ms after the
//! last instance holding one of its members refreshed it. `sig:inst:<instance>` exists while the instance is
//! alive (refreshed every beat). `sig:bus:<instance>` is the instance's pub/sub channel; see
//! [`super::bus`] for what is published on it.

/// Functions every script shares: who owns an entry, whether an instance lives, and reaping the members of
/// dead instances (they are removed, and the live instances of the room are told `peer-left`).
const PRELUDE: &str = r#"
local function inst_of(owner) return string.match(owner, "^([^/]+)") end
local function conn_of(owner) return string.match(owner, "/(.*)$") end
local function alive(inst) return redis.call('EXISTS', 'sig:inst:' .. inst) == 1 end
-- The instances holding members of the room, but not `me`.
local function others_of(key, me)
  local seen, list = {}, {}
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    local inst = inst_of(all[i + 1])
    if inst ~= me and not seen[inst] then seen[inst] = true; table.insert(list, inst) end
  end
  return list
end
local function tell_left(key, room, me, ids, reason)
  if #ids == 0 then return end
  for _, inst in ipairs(others_of(key, me)) do
    for _, id in ipairs(ids) do
      redis.call('PUBLISH', 'sig:bus:' .. inst, 'L\n' .. room .. '\n' .. id .. '\n' .. reason)
    end
  end
end
local function reap(key, room, me)
  local dead, gone, all = {}, {}, redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    local inst = inst_of(all[i + 1])
    if dead[inst] == nil then dead[inst] = not alive(inst) end
    if dead[inst] then redis.call('HDEL', key, all[i]); table.insert(gone, all[i]) end
  end
  tell_left(key, room, me, gone, 'timed-out')
  return gone
end
"#;

/// KEYS: room. ARGV: room, id, owner, me, room size, ttl ms, peer-joined needed ("1"/"0" unused).
/// Returns `{status, old owner or "", reaped ids joined by ",", other members...}`, status `ok` or `full`.
const JOIN: &str = r#"
local key, room, id, owner, me = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local size, ttl = tonumber(ARGV[5]), tonumber(ARGV[6])
local old = redis.call('HGET', key, id)
local reaped = {}
if not old and redis.call('HLEN', key) >= size then
  -- Seats held by members of dead instances are free.
  reaped = reap(key, room, me)
  if redis.call('HLEN', key) >= size then return {'full', '', table.concat(reaped, ',')} end
end
redis.call('HSET', key, id, owner)
redis.call('PEXPIRE', key, ttl)
local reply = {'ok', old or '', table.concat(reaped, ',')}
local all = redis.call('HGETALL', key)
for i = 1, #all, 2 do
  if all[i] ~= id then table.insert(reply, all[i]) end
end
if old then
  -- Same secret again: the old connection closes with REPLACED, and nobody is told anything.
  local inst = inst_of(old)
  if old ~= owner and inst ~= me then
    redis.call('PUBLISH', 'sig:bus:' .. inst, 'X\n' .. room .. '\n' .. id .. '\n' .. conn_of(old))
  end
else
  for _, inst in ipairs(others_of(key, me)) do
    redis.call('PUBLISH', 'sig:bus:' .. inst, 'J\n' .. room .. '\n' .. id)
  end
end
return reply
"#;

/// KEYS: room. ARGV: room, from, from's owner, to, the encoded `signal` frame, sent-at (µs since the epoch).
/// Returns `ok`, `not-joined` or `unknown`.
const RELAY: &str = r#"
local key, room, from, owner, to = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('HGET', key, from) ~= owner then return 'not-joined' end
local target = redis.call('HGET', key, to)
if not target then return 'unknown' end
redis.call('PUBLISH', 'sig:bus:' .. inst_of(target), 'S\n' .. room .. '\n' .. to .. '\n' .. ARGV[6] .. '\n' .. ARGV[5])
return 'ok'
"#;

/// KEYS: room. ARGV: room, id, owner, me, reason. Removes the entry if it is still `owner`'s, and tells the
/// other instances. Returns 1 if removed.
const LEAVE: &str = r#"
local key, room, id, owner, me = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('HGET', key, id) ~= owner then return 0 end
redis.call('HDEL', key, id)
tell_left(key, room, me, {id}, ARGV[5])
return 1
"#;

/// KEYS: room. ARGV: room, me, ttl ms. Keeps the room alive, and reaps members of dead instances.
/// Returns the reaped ids.
const SWEEP: &str = r#"
local key, room, me = KEYS[1], ARGV[1], ARGV[2]
local gone = reap(key, room, me)
if redis.call('EXISTS', key) == 1 then redis.call('PEXPIRE', key, tonumber(ARGV[3])) end
return gone
"#;

/// KEYS: room. ARGV: room, me, ttl ms, then pairs (id, owner) of everyone `me` holds in the room. After Redis
/// was away: entries of `me` that it no longer holds go (the others are told `peer-left`), and those it holds
/// are written again, unless another live instance holds that id now (and announced with `peer-joined` to the
/// others if their entry was gone). Returns the ids taken elsewhere (close them here).
const SYNC: &str = r#"
local key, room, me = KEYS[1], ARGV[1], ARGV[2]
local held = {}
for i = 4, #ARGV, 2 do held[ARGV[i]] = ARGV[i + 1] end
local gone, taken, all = {}, {}, redis.call('HGETALL', key)
for i = 1, #all, 2 do
  if inst_of(all[i + 1]) == me and held[all[i]] ~= all[i + 1] then
    redis.call('HDEL', key, all[i]); table.insert(gone, all[i])
  end
end
local added = {}
for id, owner in pairs(held) do
  local current = redis.call('HGET', key, id)
  if current and current ~= owner and inst_of(current) ~= me and alive(inst_of(current)) then
    table.insert(taken, id)
  else
    if not current then table.insert(added, id) end
    redis.call('HSET', key, id, owner)
  end
end
tell_left(key, room, me, gone, 'disconnected')
-- Back after a split (the others may have been told they left) or in a restarted Redis: announce them again;
-- a page that still has them says "back on the server; the call continues".
for _, inst in ipairs(others_of(key, me)) do
  for _, id in ipairs(added) do
    redis.call('PUBLISH', 'sig:bus:' .. inst, 'J\n' .. room .. '\n' .. id)
  end
end
if redis.call('EXISTS', key) == 1 then redis.call('PEXPIRE', key, tonumber(ARGV[3])) end
return taken
"#;

/// The scripts, with their SHA-1 for `EVALSHA`.
#[derive(Debug)]
pub struct Scripts {
    pub join: fred::types::scripts::Script,
    pub relay: fred::types::scripts::Script,
    pub leave: fred::types::scripts::Script,
    pub sweep: fred::types::scripts::Script,
    pub sync: fred::types::scripts::Script,
}

impl Default for Scripts {
    fn default() -> Scripts {
        Scripts::new()
    }
}

impl Scripts {
    pub fn new() -> Scripts {
        let make = |body: &str| fred::types::scripts::Script::from_lua(format!("{PRELUDE}{body}"));
        Scripts {
            join: make(JOIN),
            relay: make(RELAY),
            leave: make(LEAVE),
            sweep: make(SWEEP),
            sync: make(SYNC),
        }
    }
}

/// The hash of a room's members.
pub fn room_key(room: &str) -> String {
    format!("sig:room:{room}")
}

/// The key that says an instance lives.
pub fn instance_key(instance: &str) -> String {
    format!("sig:inst:{instance}")
}

/// An instance's bus.
pub fn bus_channel(instance: &str) -> String {
    format!("sig:bus:{instance}")
}

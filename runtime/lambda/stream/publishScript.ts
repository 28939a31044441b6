/**
 * The Lua script that publishes one invocation's changes atomically (registered with ioredis
 * `defineCommand`, run with EVALSHA). Redis runs a script alone, so readers see all of the batch's
 * entries or none, and "newer than published" cannot race with another invocation.
 *
 * KEYS: stream, published hash, epoch. ARGV: MAXLEN, a fresh epoch id, then one JSON candidate per
 * name: `{name, version, modifiedAt, fields, held, expected?}`.
 *
 * 1. Any Delete whose `expected` hash value changed since it was planned: nothing is written, the
 *    reply is `{"conflict", name}` and the caller plans again.
 * 2. Per candidate, compare (modifiedAt, version) with the held revision, exactly as
 *    `compareRevisions` does. Only when strictly newer: `XADD stream MAXLEN ~ n * fields...
 *    previousId <id>`, `HSET` the revision (with its stream id), and `SET epoch NX` so a re-created
 *    stream gets a new epoch. `previousId` is the id of the entry before it (`0-0` on an empty
 *    stream): a reader whose last id is that one knows nothing was trimmed or lost in between and
 *    skips its position check.
 *
 * Reply: `{"ok", r1, r2, ...}`, each `r` a stream id, `"same"` or `"older"`. An undecodable hash
 * value counts as nothing held (pcall), so a hand-edited hash costs a republish, not a stuck batch.
 */
export const PUBLISH_SCRIPT = `
local function held_revision(name)
  local raw = redis.call('HGET', KEYS[2], name)
  if not raw then return nil, '' end
  local ok, revision = pcall(cjson.decode, raw)
  if ok and type(revision) == 'table' and type(revision.version) == 'number'
    and type(revision.modifiedAt) == 'number' then
    return revision, raw
  end
  return nil, raw
end

local candidates = {}
for i = 3, #ARGV do
  candidates[#candidates + 1] = cjson.decode(ARGV[i])
end

for _, c in ipairs(candidates) do
  if c.expected ~= nil then
    local _, raw = held_revision(c.name)
    if raw ~= c.expected then return {'conflict', c.name} end
  end
end

local reply = {'ok'}
local epoch_set = false
local previous = nil
for _, c in ipairs(candidates) do
  local held = held_revision(c.name)
  local verdict = 'newer'
  if held then
    local order
    if c.modifiedAt ~= held.modifiedAt then
      order = c.modifiedAt - held.modifiedAt
    else
      order = c.version - held.version
    end
    if order == 0 then verdict = 'same' elseif order < 0 then verdict = 'older' end
  end
  if verdict == 'newer' then
    if not epoch_set then
      redis.call('SET', KEYS[3], ARGV[2], 'NX')
      epoch_set = true
    end
    if previous == nil then
      local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
      if last[1] then previous = last[1][1] else previous = '0-0' end
    end
    table.insert(c.fields, 'previousId')
    table.insert(c.fields, previous)
    local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', unpack(c.fields))
    previous = id
    redis.call('HSET', KEYS[2], c.name, string.sub(c.held, 1, -2) .. ',"streamId":"' .. id .. '"}')
    reply[#reply + 1] = id
  else
    reply[#reply + 1] = verdict
  end
end
return reply
`;

/** The name under which the script is defined on the ioredis client. */
export const PUBLISH_COMMAND = "configRefreshPublish";

-- ARGV: P, node, node timeout (ms), id slot held ('' = none). The heartbeat of one node, and the cluster's housekeeping, atomically:
-- renews the node's deadline; reaps nodes past theirs (their sockets leave every listing, their salesmen with no
-- socket elsewhere go offline now, at the time of their last heartbeat); ends the graces that are over.
-- Answers { 1 if this node was not registered (first beat, or it was presumed dead), reaped nodes,
--           (salesman, tenant, at) triples now offline, live nodes, 1 if the node still holds its id slot }.
local node, timeout = ARGV[2], tonumber(ARGV[3])
local now = now_ms()
local added = redis.call('ZADD', P .. ':nodes', now + timeout, node)
local reaped = {}
local dead = redis.call('ZRANGEBYSCORE', P .. ':nodes', '-inf', now, 'WITHSCORES')
for i = 1, #dead, 2 do
  local d = dead[i]
  local at = tonumber(dead[i + 1]) - timeout
  redis.call('ZREM', P .. ':nodes', d)
  reaped[#reaped + 1] = d
  local setk = P .. ':n:' .. d .. ':salesmen'
  for _, s in ipairs(redis.call('SMEMBERS', setk)) do
    local key = P .. ':p:' .. s
    redis.call('HDEL', key, 'n:' .. d)
    if presence_total(key) == 0 then pend_offline(key, s, at, now) end
  end
  local prefix = d .. '|'
  for _, t in ipairs(redis.call('SMEMBERS', P .. ':n:' .. d .. ':tenants')) do
    local tk = P .. ':t:' .. t .. ':sockets'
    for _, f in ipairs(redis.call('HKEYS', tk)) do
      if string.sub(f, 1, #prefix) == prefix then
        redis.call('HDEL', tk, f)
        redis.call('DEL', P .. ':j:' .. f)
      end
    end
  end
  redis.call('DEL', setk, P .. ':n:' .. d .. ':tenants', P .. ':n:' .. d .. ':rooms', P .. ':n:' .. d .. ':stats')
  local slots = redis.call('HGETALL', P .. ':slots')
  for j = 1, #slots, 2 do
    if slots[j + 1] == d then redis.call('HDEL', P .. ':slots', slots[j]) end
  end
end
local offline = {}
for _, s in ipairs(redis.call('ZRANGEBYSCORE', P .. ':offline', '-inf', now, 'LIMIT', 0, 500)) do
  redis.call('ZREM', P .. ':offline', s)
  local key = P .. ':p:' .. s
  local off = redis.call('HGET', key, 'off')
  if off and presence_total(key) == 0 then
    local t = redis.call('HGET', key, 't')
    redis.call('DEL', key)
    redis.call('SREM', P .. ':t:' .. t .. ':online', s)
    offline[#offline + 1] = s
    offline[#offline + 1] = t
    offline[#offline + 1] = off
  elseif off then
    redis.call('HDEL', key, 'off')
  end
end
local slot_held = 0
if ARGV[4] ~= '' and redis.call('HGET', P .. ':slots', ARGV[4]) == node then slot_held = 1 end
return { added, reaped, offline, redis.call('ZCARD', P .. ':nodes'), slot_held }

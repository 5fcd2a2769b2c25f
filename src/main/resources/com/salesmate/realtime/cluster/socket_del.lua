-- ARGV: P, node, tenant, sessionId, userId, salesmanId ('' for a manager)
local node, t, sid, user, sm = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local rk = P .. ':n:' .. node .. ':rooms'
local tk = P .. ':t:' .. t .. ':sockets'
local field = node .. '|' .. sid
local old = redis.call('HGET', tk, field)
if not old then
  return 0
end
local rooms = {}
for _, r in ipairs(cjson.decode(old).rooms) do rooms[r] = true end
for _, r in ipairs(redis.call('SMEMBERS', P .. ':j:' .. field)) do rooms[r] = true end
redis.call('DEL', P .. ':j:' .. field)
for r in pairs(rooms) do
  add(rk, r, -1)
  add(rk, r .. '|' .. user, -1)
end
add(rk, '*all', -1)
if sm ~= '' then add(rk, '*s:' .. sm, -1) end
redis.call('HDEL', tk, field)
if redis.call('HEXISTS', rk, 'tenant:' .. t) == 0 then
  redis.call('SREM', P .. ':n:' .. node .. ':tenants', t)
end
return 1

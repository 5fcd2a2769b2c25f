-- ARGV: P, node, tenant, sessionId, socket JSON, userId, salesmanId ('' for a manager), rooms...
local node, t, sid, json, user, sm = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local rk = P .. ':n:' .. node .. ':rooms'
local tk = P .. ':t:' .. t .. ':sockets'
local field = node .. '|' .. sid
local old = redis.call('HGET', tk, field)
local before = {}
if old then
  for _, r in ipairs(cjson.decode(old).rooms) do before[r] = true end
  -- rooms joined one by one since (socket_join.lua): this entry's rooms hold them from now on
  for _, r in ipairs(redis.call('SMEMBERS', P .. ':j:' .. field)) do before[r] = true end
  redis.call('DEL', P .. ':j:' .. field)
else
  add(rk, '*all', 1)
  if sm ~= '' then add(rk, '*s:' .. sm, 1) end
  redis.call('SADD', P .. ':n:' .. node .. ':tenants', t)
end
local after = {}
for i = 8, #ARGV do after[ARGV[i]] = true end
for r in pairs(after) do
  if not before[r] then
    add(rk, r, 1)
    add(rk, r .. '|' .. user, 1)
  end
end
for r in pairs(before) do
  if not after[r] then
    add(rk, r, -1)
    add(rk, r .. '|' .. user, -1)
  end
end
redis.call('HSET', tk, field, json)
return 1

-- ARGV: P, node, tenant, sessionId, userId, room. One room joined by a registered socket, in O(1): the room goes into
-- the socket's join set (P:j:<node>|<sid>) and the node's room counts, never by rewriting the socket's entry (which
-- made a socket joining n rooms cost O(n^2)). 1 when joined now; 0 when already in it, or the socket is not registered.
local node, t, sid, user, room = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local field = node .. '|' .. sid
local entry = redis.call('HGET', P .. ':t:' .. t .. ':sockets', field)
if not entry then
  return 0
end
for _, r in ipairs(cjson.decode(entry).rooms) do
  if r == room then return 0 end
end
if redis.call('SADD', P .. ':j:' .. field, room) == 0 then
  return 0
end
local rk = P .. ':n:' .. node .. ':rooms'
add(rk, room, 1)
add(rk, room .. '|' .. user, 1)
return 1

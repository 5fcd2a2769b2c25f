-- ARGV: P, this node, room ('' = every socket), userId whose sockets are skipped ('' = none).
-- The sockets addressed on the other live nodes.
local self, room, user = ARGV[2], ARGV[3], ARGV[4]
local total = 0
for _, n in ipairs(live_nodes()) do
  if n ~= self then
    local rk = P .. ':n:' .. n .. ':rooms'
    if room == '' then
      total = total + tonumber(redis.call('HGET', rk, '*all') or '0')
    else
      total = total + tonumber(redis.call('HGET', rk, room) or '0')
      if user ~= '' then
        total = total - tonumber(redis.call('HGET', rk, room .. '|' .. user) or '0')
      end
    end
  end
end
return total

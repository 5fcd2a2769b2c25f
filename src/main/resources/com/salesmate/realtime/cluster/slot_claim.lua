-- ARGV: P, node, first slot to try, slots. Claims a free id slot (P:slots: slot -> node) for the node's location
-- ids, so that no two live nodes writing to one database make the same id; answers it, or -1 when all are taken.
local node, first, n = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
for i = 0, n - 1 do
  local s = tostring((first + i) % n)
  local holder = redis.call('HGET', P .. ':slots', s)
  if holder == node then return tonumber(s) end
  if not holder then
    redis.call('HSET', P .. ':slots', s, node)
    return tonumber(s)
  end
end
return -1

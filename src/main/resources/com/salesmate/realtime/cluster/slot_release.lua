-- ARGV: P, node, slot. Frees the node's id slot when the node leaves.
if redis.call('HGET', P .. ':slots', ARGV[3]) == ARGV[2] then
  redis.call('HDEL', P .. ':slots', ARGV[3])
end
return 1

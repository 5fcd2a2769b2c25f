-- ARGV: P, this node, tenant ('' = every tenant). The other live nodes' figures:
-- { total, active, sent, received, tenants[], salesmen[], rooms[] }; for one tenant { connects, 0, sent, received }
-- and empty lists (its sockets are listed by list.lua)
local self, tenant = ARGV[2], ARGV[3]
local sums = { 0, 0, 0, 0 }
local tenants, salesmen, rooms = {}, {}, {}
for _, n in ipairs(live_nodes()) do
  if n ~= self then
    local fields
    if tenant == '' then
      fields = { 'total', 'active', 'sent', 'received' }
    else
      fields = { 'c|' .. tenant, '-', 's|' .. tenant, 'r|' .. tenant } -- no field '-': 0
    end
    local st = redis.call('HMGET', P .. ':n:' .. n .. ':stats', unpack(fields))
    for i = 1, 4 do sums[i] = sums[i] + tonumber(st[i] or '0') end
    if tenant == '' then
      for _, f in ipairs(redis.call('HKEYS', P .. ':n:' .. n .. ':rooms')) do
        if string.sub(f, 1, 3) == '*s:' then
          salesmen[string.sub(f, 4)] = true
        elseif string.sub(f, 1, 1) ~= '*' and not string.find(f, '|', 1, true) then
          rooms[f] = true
          if string.match(f, '^tenant:[^:]+$') then tenants[f] = true end
        end
      end
    end
  end
end
local function keys(set)
  local out = {}
  for k in pairs(set) do out[#out + 1] = k end
  return out
end
return { sums[1], sums[2], sums[3], sums[4], keys(tenants), keys(salesmen), keys(rooms) }

-- GET a random project among the ids in IDS (one per line), as
-- PATHFMT ("/v1/projects/%d" for the service, "/%d" for the baseline).
local ids, fmt
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  ids = {}
  for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = tonumber(line) end
  fmt = os.getenv("PATHFMT")
  local t = os.getenv("TOKEN")
  if t and t ~= "" then wrk.headers["Authorization"] = "Bearer " .. t end
  math.randomseed(tid * 7919)
end
function request()
  return wrk.format("GET", string.format(fmt, ids[math.random(1, #ids)]))
end

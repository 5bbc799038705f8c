-- POST /v1/projects/{id}/evaluations on a random project among the ids in
-- IDS (one per line): each request scores the stored 20-indicator project
-- and commits an evaluation and its rollup.
local ids
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  ids = {}
  for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = tonumber(line) end
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
  math.randomseed(tid * 7919)
end
function request()
  return wrk.format("POST", string.format("/v1/projects/%d/evaluations", ids[math.random(1, #ids)]))
end

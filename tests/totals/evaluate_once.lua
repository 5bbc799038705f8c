-- POST /v1/projects/{id}/evaluations, each id of IDS (one per line) once:
-- wrk thread t of T takes ids t, t+T, t+2T, ... so every request is a
-- first evaluation and moves totals_summary (a repeated evaluation with
-- the same result writes nothing there).  Runs out after #IDS requests.
local ids, i
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  ids = {}
  for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = tonumber(line) end
  i = tid
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
end
function request()
  local id = ids[((i - 1) % #ids) + 1]
  i = i + tonumber(os.getenv("WRK_THREADS") or "2")
  return wrk.format("POST", string.format("/v1/projects/%d/evaluations", id))
end

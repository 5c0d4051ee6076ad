-- wrk script: stops the run after REQUESTS responses (environment, default 10000), so that a
-- load is bounded in requests as well as in time (-d). With one thread (-t1) the count is
-- exact; wrk's main thread sleeps for the whole duration even when a thread stops, so the
-- script interrupts wrk (SIGINT, which wrk handles by printing its summary).
function init(args)
  limit = tonumber(os.getenv("REQUESTS") or "10000")
  seen = 0
end

function response(status, headers, body)
  seen = seen + 1
  if seen == limit then
    wrk.thread:stop()
    -- os.execute runs sh through system(), which ignores SIGINT in wrk until sh returns:
    -- signal from a background job instead ($PPID is wrk in both shells).
    os.execute("(sleep 0.2; kill -INT $PPID) &")
  end
end

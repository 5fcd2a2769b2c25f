"""Summarises a JFR recording's execution samples within a time window: by whose code ran (the first frame, from the
leaf, outside the JDK), by thread, and by top frame. Used for the connect-path profiles in docs/benchmarks.md.

    python3 bench/jfr-summary.py <recording.jfr> <from ISO time> <to ISO time> [<jfr print --json output>]

Record with JAVA_OPTS="-XX:StartFlightRecording=settings=profile,filename=<file>" bench/run.sh --no-node ...; the
window is the measured scenarios' (their "at" and "totalMs" in the load tool's JSON lines). Needs the JDK's jfr tool
on PATH (or JFR=/path/to/jfr) unless the JSON is given.
"""
import json, os, subprocess, sys, collections, datetime
jfr, start_iso, end_iso = sys.argv[1], sys.argv[2], sys.argv[3]
def ts(x):
    return datetime.datetime.fromisoformat(x.replace('Z','+00:00')).timestamp()
t0, t1 = ts(start_iso), ts(end_iso)
out = open(sys.argv[4]).read() if len(sys.argv) > 4 else subprocess.run([os.environ.get('JFR', 'jfr'), 'print', '--json', '--stack-depth', '40', '--events', 'jdk.ExecutionSample', jfr], capture_output=True, text=True).stdout
data = json.loads(out)
events = data['recording']['events']
threads = collections.Counter(); top = collections.Counter(); cat = collections.Counter(); n = 0
def category(frames):
    names = [f['method']['type']['name'].replace('/', '.') + '.' + f['method']['name'] for f in frames]
    if any(n.startswith('javax.crypto') for n in names[:8]):
        return 'HMAC (javax.crypto)'
    for n in names:
        if n.startswith(('java.', 'jdk.', 'sun.', 'javax.')):
            continue
        for key, label in [('com.auth0', 'JWT (auth0 java-jwt)'), ('org.sqlite', 'SQLite'), ('org.jdbi', 'Jdbi'),
                           ('com.salesmate', 'service'), ('com.corundumstudio', 'netty-socketio'),
                           ('io.netty.handler.codec', 'Netty codecs'), ('io.netty', 'Netty other'),
                           ('com.fasterxml', 'Jackson'), ('org.eclipse.jetty', 'Jetty'), ('ch.qos', 'logging')]:
            if n.startswith(key):
                return label
        return n.rsplit('.', 2)[0]
    return 'JDK only'
for e in events:
    st = e['values']['startTime']
    t = ts(st)
    if not (t0 <= t <= t1):
        continue
    frames = e['values']['stackTrace']['frames'] if e['values'].get('stackTrace') else []
    if not frames: continue
    thread = e['values']['sampledThread']['javaName'] or ''
    n += 1
    f = frames[0]['method']
    top[f['type']['name'] + '.' + f['name']] += 1
    cat[category(frames)] += 1
    threads[(thread.rstrip('0123456789-') if thread else '?')] += 1
print('samples', n)
for k, v in cat.most_common(25): print(f'{v:5d} {100*v/n:5.1f}% {k}')
print('--- threads')
for k, v in threads.most_common(12): print(f'{v:5d} {100*v/n:5.1f}% {k}')
print('--- top frames')
for k, v in top.most_common(25): print(f'{v:5d} {100*v/n:5.1f}% {k}')

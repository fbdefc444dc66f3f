#!/usr/bin/python3
# cephq, installed by the ssh backend as /var/lib/ceph/orch/cephq on every host: reads a JSON
# list of commands on stdin ({"target": "mon"|"mgr", "cmd": {...}}), runs each through librados
# in one connection, prints a JSON list of {"ret", "out" (parsed JSON when it is JSON), "err"}.
import json, sys, rados
cmds = json.load(sys.stdin)
c = rados.Rados(conffile='/etc/ceph/ceph.conf', conf={'client_mount_timeout': '15', 'rados_mon_op_timeout': '20', 'rados_osd_op_timeout': '20', 'log_to_stderr': 'false'})
c.connect(timeout=15)
res = []
for q in cmds:
    cmd = dict(q['cmd'])
    cmd.setdefault('format', 'json')
    fn = c.mgr_command if q.get('target') == 'mgr' else c.mon_command
    try:
        ret, out, err = fn(json.dumps(cmd), b'', timeout=20)
    except Exception as e:
        ret, out, err = -1, b'', str(e)
    text = out.decode('utf-8', 'replace')
    try:
        val = json.loads(text) if text.strip() else None
    except ValueError:
        val = text
    res.append({'ret': ret, 'out': val, 'err': err})
c.shutdown()
json.dump(res, sys.stdout)

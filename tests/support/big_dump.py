#!/usr/bin/env python3
"""Writes a kubectl-style dump of a large cluster: N pods over namespaces, 1% failing.

Usage: big_dump.py PODS NAMESPACES > dump.json   (deterministic; used by tests and benches)
"""
import json
import sys

pods, namespaces = int(sys.argv[1]), int(sys.argv[2])
NOW = "2025-12-26T02:00:00Z"
items = []
for i in range(pods):
    ns = f"team-{i % namespaces:02d}"
    app = f"svc-{(i // namespaces) % 50:02d}"
    name = f"{app}-5f46454c7b-{i:05d}"
    failing = i % 100 == 7
    status = {
        "phase": "Running",
        "podIP": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
        "conditions": [{"type": "Ready", "status": "False" if failing else "True",
                        "lastTransitionTime": "2025-12-20T00:00:00Z"}],
        "containerStatuses": [{
            "name": app, "image": f"registry/{app}:1", "imageID": "", "ready": not failing,
            "restartCount": 12 if failing else 0,
            "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container"}}
            if failing else {"running": {"startedAt": "2025-11-01T00:00:00Z"}},
            **({"lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                                             "finishedAt": "2025-12-26T01:55:00Z"}}} if failing else {}),
        }],
    }
    items.append({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "creationTimestamp": "2025-11-01T00:00:00Z",
                     "labels": {"app": app, "pod-template-hash": "5f46454c7b"},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": f"{app}-5f46454c7b",
                                          "uid": f"uid-{ns}-{app}", "controller": True}]},
        "spec": {"nodeName": f"node-{i % 40:02d}", "containers": [{"name": app, "image": f"registry/{app}:1"}]},
        "status": status,
    })
json.dump({"apiVersion": "v1", "kind": "List", "items": items, "metadata": {"resourceVersion": ""}}, sys.stdout)

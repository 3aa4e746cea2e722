"""Start the independent fake PVE server `fakepve` (PyPI) on loopback for the client test suite.

It is configured like the simulator's default cluster: nodes pve1..pve3, a Debian 12 VM template
(9000) and container template (9001), and the API token root@pam!scmp. Prints one JSON line with the
URL, the certificate's SHA-256 fingerprint, the password and the token, then serves until killed.

    python run_fakepve.py [--host 127.0.0.1]
"""

import argparse
import asyncio
import hashlib
import json
import shutil
import sys
import tempfile

from fakepve.certs import make_cert
from fakepve.server import FakePve

PASSWORD = 'fake-secret-pw'
TOKEN_ID = 'root@pam!scmp'
TOKEN_SECRET = '1b2c3d4e-0000-4000-8000-000000000001'


async def main(host):
    pve = FakePve(user='root@pam', password=PASSWORD, host=host, port=0)
    pve.time_scale = 0.0
    for node in ('pve2', 'pve3'):
        pve.add_node(node)
    pve.apitokens[TOKEN_ID] = TOKEN_SECRET
    pve.add_vm(9000, 'debian-12-cloudinit', node='pve1', template=True, config={
        'memory': '2048', 'cores': 2, 'sockets': 1, 'ostype': 'l26', 'scsihw': 'virtio-scsi-single',
        'scsi0': 'local-lvm:base-9000-disk-0,size=3G', 'ide2': 'local-lvm:vm-9000-cloudinit,media=cdrom',
        'net0': 'virtio=BC:24:11:5E:A0:01,bridge=vmbr0', 'boot': 'order=scsi0', 'agent': '1',
        'ipconfig0': 'ip=dhcp', 'tags': 'debian;template',
    })
    tmp = tempfile.mkdtemp(prefix='fakepve-')
    try:
        certfile, keyfile, der = make_cert(tmp, hosts=(host,))
        await pve.start(certfile, keyfile)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    fp = ':'.join('{0:02X}'.format(b) for b in hashlib.sha256(der).digest())
    print(json.dumps({'url': pve.url, 'fingerprint': fp, 'password': PASSWORD,
                      'token': '{0}={1}'.format(TOKEN_ID, TOKEN_SECRET)}), flush=True)
    await asyncio.Event().wait()


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--host', default='127.0.0.1')
    args = parser.parse_args()
    try:
        asyncio.run(main(args.host))
    except KeyboardInterrupt:
        sys.exit(0)

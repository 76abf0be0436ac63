"""The CloudPOS store bridge: a small agent run on a shop PC or a Raspberry Pi.

It pairs once as a BRIDGE device (`python -m bridge pair CODE --server URL`), keeps the device token
in a local file, then long-polls the server for jobs (`python -m bridge run --server URL`): ESC/POS
bytes for its receipt and kitchen printers, and card approvals for its card terminal. It only calls
out over HTTP(S): the shop needs no inbound port. It imports nothing of Django or of `apps/`.
"""

__version__ = "1.0"

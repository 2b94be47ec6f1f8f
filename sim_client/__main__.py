"""``python -m sim_client``: the ``sim-client`` command line."""

from sim_client.cli import main

main()

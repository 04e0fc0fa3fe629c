"""The production SIP core server of each hub (Kamailio), rendered from the same view as the lab's."""

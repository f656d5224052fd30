"""The four UK access-to-information regimes foibot knows, named once.

foi: Freedom of Information Act 2000; eir: Environmental Information Regulations 2004
(England, Wales, Northern Ireland); foisa: Freedom of Information (Scotland) Act 2002;
eisr: Environmental Information (Scotland) Regulations 2004. The Scottish two count
Scottish bank holidays only (FOISA s.73) and go to the Scottish Information Commissioner.
"""

LAWS = ("foi", "eir", "foisa", "eisr")
SCOTTISH = frozenset({"foisa", "eisr"})
ENVIRONMENTAL = frozenset({"eir", "eisr"})


def law_for(*, scottish: bool, environmental: bool) -> str:
    """The regime for a body in (or outside) Scotland and a request that is (or is not)
    for environmental information."""
    if scottish:
        return "eisr" if environmental else "foisa"
    return "eir" if environmental else "foi"

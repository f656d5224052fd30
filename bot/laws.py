"""The UK access-to-information regimes foibot knows, named once.

foi: Freedom of Information Act 2000; eir: Environmental Information Regulations 2004
(England, Wales, Northern Ireland); foisa: Freedom of Information (Scotland) Act 2002;
eisr: Environmental Information (Scotland) Regulations 2004. The Scottish two count
Scottish bank holidays only (FOISA s.73) and go to the Scottish Information Commissioner.
none: no access-to-information law applies (WDTK's `foi_no` tag, Alaveteli
`PublicBody#not_subject_to_law?`): the body answers voluntarily, so there is no statutory
deadline, no internal review and no regulator; foibot counts only a courtesy reminder date.
"""

LAWS = ("foi", "eir", "foisa", "eisr")  # the statutory regimes
NONE = "none"
ALL_LAWS = (*LAWS, NONE)  # every value `law` takes
SCOTTISH = frozenset({"foisa", "eisr"})
ENVIRONMENTAL = frozenset({"eir", "eisr"})
# What a calendar entry, table or digest calls each one in a few letters.
SHORT_NAMES = {"foi": "FOI", "eir": "EIR", "foisa": "FOISA", "eisr": "EISR", NONE: "voluntary"}


def law_for(*, scottish: bool, environmental: bool, subject_to_foi: bool = True) -> str:
    """The regime for a body in (or outside) Scotland, a request that is (or is not) for
    environmental information, and a body that is (or is not) a public authority under
    FOIA/FOISA. EIR reg 2(2) and EISR reg 2(1) reach bodies FOIA does not (e.g. those
    with public functions on the environment), so environmental wins over `foi_no`."""
    if environmental:
        return "eisr" if scottish else "eir"
    if not subject_to_foi:
        return NONE
    return "foisa" if scottish else "foi"

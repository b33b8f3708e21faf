from sozialraum.names import NameMatcher, closest, normalize_header, normalize_name


def test_umlaut_spellings_hyphens_and_case_share_one_key():
    assert normalize_name("Lirich Sued") == normalize_name("Lirich-Süd") == "lirichsued"
    assert normalize_name("WALSUMER MARK") == normalize_name("Walsumermark")
    assert normalize_name("Osterfeld-Mitte / Vonderort") == normalize_name(
        "Osterfeld-Mitte/Vonderort"
    )
    assert normalize_name("Straße") == normalize_name("Strasse")


def test_headers_are_normalised_to_contract_names():
    assert normalize_header(" Zähler ") == "zaehler"
    assert normalize_header("\ufeffQuartier ID") == "quartier_id"


def test_matcher_resolves_unambiguous_spellings():
    m = NameMatcher(["Lirich-Süd", "Lirich-Nord", "Innenstadt"])
    assert m.match("Lirich-Süd").art == "exakt"
    hit = m.match("lirich sued")
    assert (hit.name, hit.art) == ("Lirich-Süd", "normalisiert")


def test_matcher_refuses_ambiguous_keys():
    m = NameMatcher(["Holten-Süd", "Holten Sued"])
    hit = m.match("holten süd ")
    assert hit.name is None and hit.art == "mehrdeutig"
    assert set(hit.kandidaten) == {"Holten-Süd", "Holten Sued"}


def test_misspelling_is_unknown_with_a_suggestion():
    m = NameMatcher(["Lirich-Süd", "Lirich-Nord", "Innenstadt"])
    hit = m.match("Lirch-Süd")
    assert not hit.ok and hit.art == "unbekannt" and hit.vorschlag == "Lirich-Süd"
    assert m.match("Xyzzy").vorschlag is None


def test_closest_works_on_normalised_keys():
    assert closest("zaeler", ["zaehler", "nenner"]) == "zaehler"
    assert closest("Sterkrade Nord", ["Sterkrade-Nord", "Sterkrade-Mitte"]) == "Sterkrade-Nord"

"""Benchmark: deal-registration conflict checks against 1,000,000 accounts.

Run from the repository root: ``.venv/bin/python bench/conflicts.py``
(``N_ACCOUNTS=100000`` in the environment for a quick run). Pure Python, no
database, everything seeded.

1. Generates synthetic accounts: Greek companies (capitals, or with tonos, or
   already transliterated to Latin with a random mix of the usual spellings)
   and other European ones, from surnames, generated brand words, trade
   words, places and legal forms, with domains and VAT numbers.
2. Builds a :class:`~kanali.deals.conflicts.index.ConflictIndex`.
3. Labels queries: true duplicates made from existing accounts (case,
   accents, legal form, Greek<->Latin transliteration with a different
   spelling, one or two typos, word order, and all of them combined), and
   true non-duplicates (fresh names from the same generator whose words are
   not those of an existing account, however spelt), with name and country
   only, so only the name can match; plus exact domain/VAT probes.
4. Times the engine on every labelled query and a brute-force baseline on
   a sample of 20: the same normalised keys scored over *all* accounts with
   ``rapidfuzz.process.extract`` and the engine's first-stage scorer
   (``token_ratio``), single-threaded like the engine. The baseline skips
   the engine's second, weighted stage (at most 50 names a check), which
   only flatters it. Prints recall, false conflicts, a threshold/scorer
   table and the targets.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import platform
import random
import resource
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache, partial
from pathlib import Path
from typing import NamedTuple, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import rapidfuzz
from rapidfuzz import fuzz, process
from stdnum.gr import vat as gr_vat
from stdnum.iso7064 import mod_11_10

from kanali.deals.conflicts.index import ConflictIndex, Query, Record
from kanali.deals.conflicts.normalize import normalize_name

T = TypeVar("T")
SEED = 20_250_601
N_ACCOUNTS = int(os.environ.get("N_ACCOUNTS", 1_000_000))
PER_VARIANT = 250  # duplicates per variant kind (8 kinds)
N_DISTINCT = 2_000  # true non-duplicates
N_EXACT = 500  # domain / VAT probes
N_BASELINE = 20  # brute-force queries: each scans every account
TARGET_P99_MS = 20.0
TARGET_SPEEDUP = 20.0
TARGET_RECALL = 0.95
TARGET_FALSE = 0.02

# --- word lists (Greek in lower case with tonos) ---------------------------------


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


GR_TRADES = words(
    "πληροφορική τεχνική εμπορική κατασκευαστική συμβουλευτική ενεργειακή ναυτιλιακή τουριστική "
    "ξενοδοχειακή φαρμακευτική μεταφορική βιομηχανική αγροτική εκπαιδευτική ιατρική τεχνολογική "
    "ψηφιακή ασφαλιστική επενδυτική διαφημιστική εκδοτική χημική μεταλλευτική οικοδομική ηλεκτρονική "
    "ηλεκτρολογική μηχανολογική ελαιουργική οινοποιητική γαλακτοκομική αλιευτική κτηνοτροφική "
    "εργοληπτική μελετητική λογιστική ναυπηγική πλαστική χαρτική κλωστοϋφαντουργική"
)
GR_NOUNS = words(
    "συστήματα λύσεις υπηρεσίες εφαρμογές δίκτυα τηλεπικοινωνίες τρόφιμα διανομές επενδύσεις "
    "κατασκευές μελέτες εμπόριο εξαγωγές εισαγωγές μεταφορές ενέργεια έπιπλα δομικά αναψυκτικά "
    "αρτοποιία ζαχαροπλαστική καλλυντικά ενδύματα υποδήματα"
)
GR_PLACES = words(
    "αθηνών θεσσαλονίκης πατρών κρήτης λάρισας ηρακλείου ιωαννίνων βόλου καβάλας ρόδου κέρκυρας "
    "χανίων σερρών δράμας κοζάνης τρικάλων καλαμάτας χαλκίδας αιγαίου ιονίου μακεδονίας θράκης "
    "πελοποννήσου ελλάδος αττικής κυκλάδων δωδεκανήσου ηπείρου θεσσαλίας εύβοιας"
)
GR_REGIONS = ("βορείου ελλάδος", "νοτίου ελλάδος", "δυτικής ελλάδος", "κεντρικής μακεδονίας")
GR_PROPER = words(
    "άλφα βήτα γάμμα δέλτα ωμέγα όλυμπος αιγαίο ακρόπολις ερμής αθηνά πήγασος τιτάν νεφέλη ήλιος "
    "πλειάδες ορίζων ίκαρος δήλος αστέρι κύμα φάρος πρόοδος ένωσις αρμονία σύνθεσις κέρδος πυρσός "
    "λόγος ζέφυρος άτλας ποσειδών απόλλων άρτεμις δίας ήρα θέτις αίολος ηλέκτρα κένταυρος αριάδνη "
    "περσεύς ορφεύς πρωτέας κρόνος ευρώπη λητώ καλλιστώ ιθάκη σαμοθράκη αμάλθεια δαίδαλος"
)
GR_SURNAME_PREFIXES = ("",) * 6 + ("παπα", "καρα", "χατζη", "μαυρο", "κοντο", "μεγαλο", "ψαρο", "καλο")
GR_SURNAME_ROOTS = words(
    "γεωργ νικολ δημητρ κωνσταντιν ιωανν βασιλ αθανασ χρηστ παναγιωτ μιχαηλ σταυρ αντων ευαγγελ "
    "αλεξανδρ θεοδωρ σπυρ κυριακ ηλι μανωλ στεφαν πετρ ανδρε λαμπρ γρηγορ φωτ τσακ ζαχαρ μαρκ "
    "φιλιππ καλ λιακ μπαλτ ντουμ γκικ τζαν κουτσ ραπτ σιδερ μπουρ ντελ γκουβ τσιτσ ξενακ ψαλτ "
    "θεοχαρ αγγελ χαραλαμπ ευθυμ κοραλ μαργαρ σωτηρ τριανταφυλλ πολυχρον αποστολ βλαχ "
    "γιαννακ δρακ ζερβ θωμ κατσαρ λαζαρ μελετ ξανθ οικονομ παππ ρουσ σαραντ τζιωρτζ φραγκ "
    "χριστοδουλ ψυχογ αναγνωστ βαρδακ γαλαν διαμαντ ευστρατ καλογερ κουκουλ μακρ μπεκ "
    "ντινοπ παπαγεωργ ρηγ σακελλαρ σταματ τσολακ φιλοθε χαλκι ασημακ βελισσαρ γεροντ"
)
GR_FIRST_NAMES = words(
    "γεώργιος νικόλαος δημήτριος κωνσταντίνος ιωάννης βασίλειος αθανάσιος χρήστος παναγιώτης "
    "μιχαήλ σταύρος αντώνιος ευάγγελος αλέξανδρος θεόδωρος σπυρίδων κυριάκος ηλίας εμμανουήλ "
    "στέφανος πέτρος ανδρέας λάμπρος γρηγόριος φώτιος ζαχαρίας μάρκος φίλιππος μαρία ελένη "
    "αικατερίνη βασιλική σοφία αγγελική δέσποινα ευαγγελία κωνσταντίνα ειρήνη χριστίνα "
    "παρασκευή αναστασία θεοδώρα ιωάννα αλεξάνδρα σταυρούλα φωτεινή ευτυχία"
)
GR_SURNAME_ENDINGS = words(
    "όπουλος ίδης άκης άτος ίου άκος έλης άς ής ιάδης όγλου άρης ίνης έας ούδης ούλης ίτσας ιώτης "
    "άκου ίδου ιάδου οπούλου ούλια"
)
GR_SYLLABLES = words(
    "κα λο νη μα ρι το ξε βα δε θε πα σο λυ κυ ζω φι χα ψη γα νο τρο στα κλε μπο ντα γκα "
    "ρα με λι κο νε τα βι δω ζα θω αρ ελ ον ισ ορ αν εν ιν στρα κρι πλα φρο γλυ σκα σπι "
    "τσα τζι ξα ψα μου γου ρου λευ ναυ ευ αι οι ει βρο δρα θρα χρυ"
)
GR_FORMS = {  # key: (Greek renderings, Latin renderings)
    "AE": (("Α.Ε.", "ΑΕ", "Α.Ε", "ΑΝΩΝΥΜΗ ΕΤΑΙΡΕΙΑ"), ("S.A.", "SA", "A.E.", "AE")),
    "EPE": (("Ε.Π.Ε.", "ΕΠΕ"), ("EPE", "E.P.E.", "Ltd")),
    "IKE": (("Ι.Κ.Ε.", "ΙΚΕ"), ("IKE", "I.K.E.", "P.C.")),
    "MIKE": (("ΜΟΝ. ΙΚΕ", "Μον. Ι.Κ.Ε.", "ΜΟΝΟΠΡΟΣΩΠΗ ΙΚΕ"), ("Single Member P.C.", "MON. IKE")),
    "OE": (("Ο.Ε.", "ΟΕ", "& ΣΙΑ Ο.Ε."), ("OE", "O.E.", "& SIA OE")),
    "EE": (("Ε.Ε.", "ΕΕ"), ("EE", "E.E.")),
    "ABEE": (("ΑΒΕΕ", "Α.Β.Ε.Ε."), ("ABEE", "S.A.")),
    "AEBE": (("ΑΕΒΕ", "Α.Ε.Β.Ε."), ("AEBE", "S.A.")),
    "": (("",), ("",)),
}
GR_FORM_KEYS = ("AE",) * 6 + ("EPE",) * 3 + ("IKE",) * 4 + ("MIKE", "OE", "OE", "EE", "ABEE", "AEBE", "", "")

LAT_SURNAMES = words(
    "Smith Müller Schmidt Rossi Russo Bianchi García Martínez Novak Kowalski Nowak Dubois Lefèvre "
    "Moreau Jansen Peeters Horvat Popescu Ionescu Dimitrov Ivanov Petrov Georgiev Nielsen Hansen "
    "Johansson Andersson Virtanen Kovács Nagy Silva Santos Ferreira O'Brien Murphy Walsh Fischer "
    "Weber Wagner Becker Hoffmann Schäfer Koch Richter Klein Wolf Schröder Neumann Schwarz "
    "Zimmermann Braun Krüger Hartmann Lange Werner Krause Lehmann Romano Colombo Ricci Marino "
    "Greco Bruno Gallo Conti Costa Fernández López González Rodríguez Sánchez Pérez Navarro Moreno "
    "Lambert Fontaine Rousseau Vincent Mercier Dvořák Černý Svoboda Wójcik Kamiński Lewandowski "
    "Zieliński Szabó Tóth Varga Oliveira Pereira Almeida Kelly Byrne Ryan"
)
LAT_WORDS = words(
    "Tech Technologies Systems Solutions Software Digital Consulting Logistics Trading Partners "
    "Holdings Analytics Networks Labs Global Europe Data Cloud Energy Foods Engineering Industries "
    "Services Group Media Capital Ventures Dynamics Robotics Security Health Pharma Marine Shipping "
    "Telecom Electronics Design Studio Interactive Innovations International Automation Finance "
    "Insurance Retail Textiles Motors Construction Hospitality Travel Agro Bio Medical Optics"
)
LAT_PLACES = words(
    "Athens Thessaloniki Patras Heraklion Berlin Munich Hamburg Vienna Sofia Plovdiv Bucharest "
    "Milano Roma Torino Lyon Paris Marseille Madrid Barcelona Lisbon Porto Warsaw Krakow Prague "
    "Brno Budapest Zagreb Dublin Cork London Amsterdam Rotterdam Brussels Antwerp Nicosia "
    "Limassol Hellas Balkans Mediterranean Adriatic Baltic Iberia Alpine Danube Rhine"
)
LAT_SYLLABLES = words(
    "ver lan tix zo nex ar qua sol vi mo tra cor den fy ly ra ko ne sta bri gen max pro ten "
    "ax el on ix um ia or al ex ul is vo zen kin dra lu mi sa te ro bel cha dor fin gal "
    "hel jun kel lum mar nor pel quin ris sil tor urb vel wyn xen yor zal bra cle dru fla "
    "gro pla sky tre vor"
)
LAT_FORMS = {
    "SA": ("S.A.", "SA"),
    "LTD": ("Ltd", "Ltd.", "Limited"),
    "LLC": ("LLC", "L.L.C."),
    "GMBH": ("GmbH",),
    "AG": ("AG",),
    "INC": ("Inc.", "Inc"),
    "CORP": ("Corp.", "Corporation"),
    "PLC": ("PLC", "plc"),
    "SRL": ("SRL", "S.r.l."),
    "SPA": ("SpA", "S.p.A."),
    "BV": ("BV", "B.V."),
    "NV": ("NV", "N.V."),
    "SARL": ("SARL",),
    "SAS": ("SAS",),
    "EOOD": ("EOOD",),
    "OOD": ("OOD",),
    "SPZOO": ("Sp. z o.o.", "sp. z o.o."),
    "SRO": ("s.r.o.",),
    "LDA": ("Lda", "Lda."),
    "CO": ("& Co.", "Co."),
    "": ("",),
}
LAT_FORM_KEYS = tuple(LAT_FORMS)
GR_TRADES_NOUNS = GR_TRADES + GR_NOUNS
GR_PLACES_REGIONS = GR_PLACES + GR_REGIONS
LAT_COUNTRIES = words("DE IT FR ES NL BE PL CZ BG RO PT AT IE GB CY GR HU HR")

# Greek -> Latin as people write it: the first spelling is ELOT 743, the others the usual alternatives.
GREEKLISH_PAIRS = {
    "ου": ("ou", "u"),
    "αι": ("ai", "e"),
    "ει": ("ei", "i"),
    "οι": ("oi", "i"),
    "μπ": ("mp", "b"),
    "ντ": ("nt", "d"),
    "γκ": ("gk", "g"),
    "γγ": ("ng", "gg"),
    "αυ": ("av", "af", "au"),
    "ευ": ("ev", "ef", "eu"),
}
GREEKLISH = {
    "α": ("a",),
    "β": ("v", "b"),
    "γ": ("g",),
    "δ": ("d",),
    "ε": ("e",),
    "ζ": ("z",),
    "η": ("i", "h"),
    "θ": ("th",),
    "ι": ("i",),
    "κ": ("k",),
    "λ": ("l",),
    "μ": ("m",),
    "ν": ("n",),
    "ξ": ("x", "ks"),
    "ο": ("o",),
    "π": ("p",),
    "ρ": ("r",),
    "σ": ("s",),
    "ς": ("s",),
    "τ": ("t",),
    "υ": ("y", "i", "u"),
    "φ": ("f", "ph"),
    "χ": ("ch", "h", "x"),
    "ψ": ("ps",),
    "ω": ("o", "w"),
}
GREEK_ALPHABET = "αβγδεζηθικλμνξοπρστυφχψω"
LATIN_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
TONOS = str.maketrans("αεηιουω", "άέήίόύώ")

# --- names -------------------------------------------------------------------------


class Name(NamedTuple):
    greek: bool  # Greek company (words in Greek) or other European (words in Latin)
    words: tuple[str, ...]
    form: str  # key of GR_FORMS / LAT_FORMS
    script: str  # Greek companies: "upper", "title" or "latin"; others: "latin"
    country: str


def strip_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


def greeklish(word: str, rng: random.Random, alternative: float) -> str:
    word = strip_accents(word)
    out, i = [], 0
    while i < len(word):
        options = GREEKLISH_PAIRS.get(word[i : i + 2])
        size = 2 if options else 1
        options = options or GREEKLISH.get(word[i], (word[i],))
        out.append(options[0] if len(options) == 1 or rng.random() >= alternative else rng.choice(options[1:]))
        i += size
    return "".join(out)


_ELOT = random.Random(0)  # greeklish() with no alternatives draws nothing that matters from it


def spelling_key(name: Name) -> int:
    """The words of a name however they are spelt: accents, case and script folded.

    Two names with the same key are the same name written otherwise ("Τζιτά" and
    "ΤΖΙΤΑ", "Δραελ" and "Drael"), so a true non-duplicate must not share it
    with an account. Different Greek spellings of one sound ("Γκάψα" and "Γάψα")
    and different letters ("Λιάκας" and "Λιακέας") stay different names.
    """
    return hash(tuple(sorted(_spelt(word, name.greek) for word in name.words if word != "&")))


@lru_cache(maxsize=1 << 20)
def _spelt(word: str, greek: bool) -> str:
    plain = strip_accents(word).lower()
    return greeklish(plain, _ELOT, 0.0) if greek else plain


def brand(rng: random.Random, syllables: Sequence[str], greek: bool) -> str:
    word = "".join(rng.choice(syllables) for _ in range(rng.choice((2, 3, 3, 3, 4))))
    if greek:  # a tonos on one vowel
        vowels = [i for i, ch in enumerate(word) if ch in "αεηιουω"]
        if vowels:
            i = rng.choice(vowels)
            word = word[:i] + word[i].translate(TONOS) + word[i + 1 :]
    return word


def new_name(rng: random.Random) -> Name:
    r = rng.random
    if r() < 0.55:  # a Greek company

        def surname() -> str:
            return rng.choice(GR_SURNAME_PREFIXES) + rng.choice(GR_SURNAME_ROOTS) + rng.choice(GR_SURNAME_ENDINGS)

        pattern = r()
        if pattern < 0.35:
            words = [surname(), rng.choice(GR_TRADES)]
            if r() < 0.5:  # sole traders and partnerships carry the founder's first name
                words.insert(0, rng.choice(GR_FIRST_NAMES))
        elif pattern < 0.55:
            words = [rng.choice(GR_PROPER), rng.choice(GR_TRADES_NOUNS)]
        elif pattern < 0.8:
            words = [brand(rng, GR_SYLLABLES, True)]
            if r() < 0.7:
                words.append(rng.choice(GR_TRADES_NOUNS))
        else:
            words = [surname(), "&", surname()]
        if r() < 0.3:
            words.extend((rng.choice(GR_PLACES_REGIONS)).split())
        script = rng.choices(("upper", "title", "latin"), (0.55, 0.2, 0.25))[0]
        country = "GR" if r() < 0.92 else "CY"
        return Name(True, tuple(words), rng.choice(GR_FORM_KEYS), script, country)
    pattern = r()
    if pattern < 0.2:
        words = [rng.choice(LAT_SURNAMES), rng.choice(LAT_WORDS)]
    elif pattern < 0.55:
        words = [brand(rng, LAT_SYLLABLES, False).capitalize(), rng.choice(LAT_WORDS)]
    elif pattern < 0.85:
        words = [brand(rng, LAT_SYLLABLES, False).capitalize()]
        if r() < 0.5:
            words.append(brand(rng, LAT_SYLLABLES, False).capitalize())
    else:
        words = [rng.choice(LAT_SURNAMES), "&", rng.choice(LAT_SURNAMES), rng.choice(LAT_WORDS)]
    if r() < 0.25:
        words.append(rng.choice(LAT_PLACES))
    return Name(False, tuple(words), rng.choice(LAT_FORM_KEYS), "latin", rng.choice(LAT_COUNTRIES))


def render(name: Name, rng: random.Random, alternative: float = 0.1, form_text: str | None = None) -> str:
    if not name.greek:
        words = list(name.words)
        form = rng.choice(LAT_FORMS[name.form]) if form_text is None else form_text
    elif name.script == "latin":
        words = [w if w == "&" else greeklish(w, rng, alternative).capitalize() for w in name.words]
        form = rng.choice(GR_FORMS[name.form][1]) if form_text is None else form_text
        if rng.random() < 0.3:
            words = [w.upper() for w in words]
    else:
        if name.script == "upper":
            words = [strip_accents(w).upper() for w in name.words]
        else:
            words = [w[:1].upper() + w[1:] for w in name.words]
        form = rng.choice(GR_FORMS[name.form][0]) if form_text is None else form_text
    return " ".join([*words, form]).strip()


# --- variants ------------------------------------------------------------------------


def typo(text: str, rng: random.Random, edits: int) -> str:
    chars = list(text)
    for _ in range(edits):
        letters = [i for i, ch in enumerate(chars) if ch.isalpha()]
        i = rng.choice(letters)
        greek = "\u0370" <= chars[i] <= "\u03ff"
        alphabet = GREEK_ALPHABET if greek else LATIN_ALPHABET
        letter = rng.choice(alphabet)
        letter = letter.upper() if chars[i].isupper() else letter
        op = rng.choice(("substitute", "delete", "insert", "transpose"))
        if op == "substitute":
            chars[i] = letter if letter != chars[i] else rng.choice(alphabet)
        elif op == "delete":
            del chars[i]
        elif op == "insert":
            chars.insert(i, letter)
        elif i + 1 < len(chars) and chars[i + 1].isalpha() and chars[i + 1] != chars[i]:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            chars[i] = letter
    return "".join(chars)


def other_form(name: Name, rng: random.Random) -> tuple[Name, str | None]:
    """The same company with its legal form written otherwise, dropped, or changed."""
    texts: Sequence[str] = (
        GR_FORMS[name.form][1 if name.script == "latin" else 0] if name.greek else LAT_FORMS[name.form]
    )
    draw = rng.random()
    if draw < 0.5 and len(texts) > 1:
        return name, rng.choice(texts[1:])
    if draw < 0.75 and name.form:
        return name._replace(form=""), ""
    return name._replace(form=rng.choice(GR_FORM_KEYS if name.greek else LAT_FORM_KEYS)), None


def reaccent(text: str, name: Name, rng: random.Random) -> str:
    if name.greek and name.script == "upper":  # capitals with tonos
        return render(name._replace(script="title"), rng).upper()
    if name.greek and name.script == "title":  # tonos dropped
        return strip_accents(text)
    if not text.isascii():
        if rng.random() < 0.5:
            return strip_accents(text)
        return text.replace("ü", "ue").replace("ö", "oe").replace("ä", "ae").replace("ß", "ss")
    vowels = [i for i, ch in enumerate(text) if ch in "aeiou"]
    i = rng.choice(vowels) if vowels else 0
    return text[:i] + text[i].translate(str.maketrans("aeiou", "áéíóú")) + text[i + 1 :]


def recase(text: str, rng: random.Random) -> str:
    options = [t for t in (text.upper(), text.lower(), text.title()) if t != text]
    return rng.choice(options) if options else text.swapcase()


def transliterate(name: Name, rng: random.Random) -> str:
    if name.script == "latin":
        return render(name._replace(script=rng.choice(("upper", "title"))), rng)
    return render(name._replace(script="latin"), rng, alternative=0.3)


def reorder(name: Name, rng: random.Random) -> str:
    words = list(name.words)
    while tuple(words) == name.words:
        rng.shuffle(words)
    return render(name._replace(words=tuple(words)), rng)


VARIANTS = ("case", "accents", "legal form", "transliteration", "1 typo", "2 typos", "word order", "combined")


def variant(kind: str, name: Name, text: str, rng: random.Random) -> str | None:
    """A duplicate of the account ``name`` (rendered as ``text``), or None if ``kind`` does not apply."""
    if kind == "case":
        return recase(text, rng)
    if kind == "accents":
        return reaccent(text, name, rng)
    if kind == "legal form":
        new, form = other_form(name, rng)
        return render(new, rng, form_text=form)
    if kind == "transliteration":
        return transliterate(name, rng) if name.greek else None
    if kind in ("1 typo", "2 typos"):
        return typo(text, rng, 1 if kind == "1 typo" else 2)
    if kind == "word order":
        return reorder(name, rng) if len(set(name.words) - {"&"}) >= 2 and "&" not in name.words else None
    new, form = other_form(name, rng)
    out = transliterate(new, rng) if new.greek else reaccent(render(new, rng, form_text=form), new, rng)
    return typo(recase(out, rng), rng, 1)


# --- accounts ------------------------------------------------------------------------


def vat_for(i: int, country: str, rng: random.Random) -> str:
    base = f"{10_000_000 + i * 37 % 89_999_999:08d}"
    if country == "GR":
        number = base + gr_vat.calc_check_digit(base)
        return rng.choice((f"EL{number}", number, f"EL {number[:3]} {number[3:6]} {number[6:]}"))
    if country == "DE":
        return "DE" + base + mod_11_10.calc_check_digit(base)
    return ""


def domain_for(i: int, name: Name, rng: random.Random) -> str:
    word = next(w for w in name.words if w != "&")
    slug = strip_accents(greeklish(word, rng, 0.0) if name.greek else word).lower().replace("'", "")
    tld = "gr" if name.country == "GR" else rng.choice(("com", "eu", name.country.lower()))
    host = f"{slug}{i}.{tld}"
    return rng.choice((host, f"www.{host}", f"https://www.{host}/"))


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(check: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    out = check()
    return out, (time.perf_counter() - start) * 1000


def main() -> None:
    rng = random.Random(SEED)
    print(
        f"Kanali conflict-detection benchmark: seed {SEED}, "
        f"Python {platform.python_version()}, rapidfuzz {rapidfuzz.__version__}"
    )

    # 1. accounts
    t0 = time.perf_counter()
    sample = set(rng.sample(range(N_ACCOUNTS), 3 * len(VARIANTS) * PER_VARIANT + N_EXACT))
    kept: dict[int, tuple[Name, str, str, str]] = {}
    records = []
    companies = set()  # every account's words, however spelt: a "new" company must not be an old one respelt
    for i in range(N_ACCOUNTS):
        name = new_name(rng)
        companies.add(spelling_key(name))
        text = render(name, rng)
        domain = domain_for(i, name, rng) if rng.random() < 0.75 else ""
        vat = vat_for(i, name.country, rng) if rng.random() < 0.7 else ""
        records.append(Record(i, "account", text, domain, vat, name.country))
        if i in sample:
            kept[i] = (name, text, domain, vat)
    greek = sum(1 for i in kept if kept[i][0].greek) / len(kept)
    print(f"accounts generated      {N_ACCOUNTS:,} in {time.perf_counter() - t0:.1f} s (about {greek:.0%} Greek)")
    print("  e.g. " + " | ".join(records[i].name for i in range(6)))

    # 2. index
    rss_before = rss_mb()
    t0 = time.perf_counter()
    gc.disable()  # millions of new lists: the cyclic collector would rescan them again and again
    index = ConflictIndex(records)
    gc.enable()
    gc.freeze()  # and keep it from rescanning the built index during the checks
    build = time.perf_counter() - t0
    print(
        f"index built             in {build:.1f} s ({N_ACCOUNTS / build:,.0f} records/s), "
        f"{index.block_count:,} block keys, RSS +{rss_mb() - rss_before:,.0f} MB "
        f"(process {rss_mb():,.0f} MB, peak {peak_mb():,.0f} MB)"
    )

    # 3. labelled queries
    qrng = random.Random(SEED + 1)
    pool = sorted(kept)[N_EXACT:]
    qrng.shuffle(pool)
    duplicates: list[tuple[str, int, Query]] = []
    for kind in VARIANTS:
        made = 0
        while made < PER_VARIANT:
            i = pool.pop()
            name, text, _, _ = kept[i]
            out = variant(kind, name, text, qrng)
            if out and normalize_name(out).key and out != text:
                duplicates.append((kind, i, Query(name=out, country=name.country)))
                made += 1
    distinct: list[Query] = []
    while len(distinct) < N_DISTINCT:
        name = new_name(qrng)
        text = render(name, qrng)
        if spelling_key(name) not in companies:
            distinct.append(Query(name=text, country=name.country))
    exact: list[tuple[int, Query]] = []
    for i in sorted(kept)[:N_EXACT]:
        name, _, domain, vat = kept[i]
        probe = new_name(qrng)
        fresh = render(probe, qrng)
        if domain:
            host = domain.removeprefix("https://").removeprefix("www.").rstrip("/")
            exact.append((i, Query(name=fresh, domain=f"HTTP://WWW.{host.upper()}:80/contact?x=1")))
        elif vat:
            digits = "".join(ch for ch in vat if ch.isdigit())
            exact.append((i, Query(name=fresh, vat=" ".join((digits[:4], digits[4:])), country=name.country)))
    print(
        f"labelled queries        {len(duplicates):,} duplicates ({PER_VARIANT} per variant), "
        f"{len(distinct):,} non-duplicates, {len(exact):,} domain/VAT probes"
    )
    for kind, i, query in duplicates[::PER_VARIANT]:
        print(f"  {kind:<16} {kept[i][1]!r} -> {query.name!r}")

    # 4. engine
    latencies: list[float] = []
    candidates: list[int] = []
    found = dict.fromkeys(VARIANTS, 0)
    for kind, i, query in duplicates:
        (matches, stats), ms = timed(partial(index.check_with_stats, query))
        latencies.append(ms)
        candidates.append(stats.candidates)
        found[kind] += any(m.record_id == i for m in matches)
    false_conflicts = 0
    examples: list[str] = []
    for query in distinct:
        (matches, stats), ms = timed(partial(index.check_with_stats, query))
        latencies.append(ms)
        candidates.append(stats.candidates)
        false_conflicts += bool(matches)
        if matches and len(examples) < 6:
            examples.append(f"{query.name!r} ~ {records[int(matches[0].record_id)].name!r} ({matches[0].score})")
    exact_found = 0
    for i, query in exact:
        matches, ms = timed(partial(index.check, query))
        latencies.append(ms)
        exact_found += any(m.record_id == i and m.exact for m in matches)
    engine_rate = len(latencies) / (sum(latencies) / 1000)
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    recall = sum(found.values()) / len(duplicates)
    false_rate = false_conflicts / len(distinct)

    # 5. baseline: the same keys and first-stage scorer over every account, no blocking
    names = [key for _, _, key in index.iter_names()]
    settings = index.settings
    baseline_queries = [q for _, _, q in duplicates[:: len(duplicates) // (N_BASELINE // 2)]][: N_BASELINE // 2]
    baseline_queries += distinct[: N_BASELINE - len(baseline_queries)]
    baseline_ms = []
    for query in baseline_queries:
        key = normalize_name(query.name).key
        _, ms = timed(
            partial(
                process.extract,
                key,
                names,
                scorer=fuzz.token_ratio,
                score_cutoff=settings.name_threshold - settings.prefilter_margin,
                limit=settings.max_rescored,
            )
        )
        baseline_ms.append(ms)
    baseline_rate = len(baseline_ms) / (sum(baseline_ms) / 1000)
    speedup = engine_rate / baseline_rate

    print()
    print(
        f"engine    {len(latencies):>6,} checks  {engine_rate:>9,.0f} checks/s  p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  "
        f"(names scored per check: median {percentile(candidates, 0.5):,.0f}, p99 {percentile(candidates, 0.99):,.0f}, "
        f"max {max(candidates):,} of {len(index):,})"
    )
    print(
        f"baseline  {len(baseline_ms):>6,} checks  {baseline_rate:>9,.1f} checks/s  "
        f"p50 {percentile(baseline_ms, 0.5):7.1f} ms  p99 {percentile(baseline_ms, 0.99):7.1f} ms  "
        f"(token_ratio over every account; timed on {len(baseline_ms)} queries only, each scans {len(names):,} names)"
    )
    print(f"speed-up  {speedup:,.0f}x")
    print()
    print(
        f"recall on duplicates     {recall:.1%}  ("
        + ", ".join(f"{k} {v / PER_VARIANT:.0%}" for k, v in found.items())
        + ")"
    )
    print(f"false conflicts          {false_rate:.1%}  ({false_conflicts} of {len(distinct):,} non-duplicates)")
    print("  e.g. " + "\n       ".join(examples))
    print(f"exact domain/VAT probes  {exact_found / len(exact):.1%}  found with reason domain/vat")

    # 6. threshold and scorer trade-off (same candidates, not timed)
    print()
    print("name threshold / scorer trade-off on the same queries (recall / false conflicts):")
    thresholds = (75, 80, 85, 88, 89, 90, 95)
    print("  scorer            " + "".join(f"{t:>15}" for t in thresholds))
    scorers = (
        ("weighted (default)", None),
        ("token_sort_ratio", fuzz.ratio),
        ("token_set_ratio", fuzz.token_set_ratio),
        ("WRatio", fuzz.WRatio),
    )
    for label, scorer in scorers:
        index.settings = dataclasses.replace(settings, scorer=scorer)
        dup_scores = [
            max((m.score for m in index.check(q, threshold=min(thresholds)) if m.record_id == i), default=0.0)
            for _, i, q in duplicates
        ]
        other_scores = [
            max((m.score for m in index.check(q, threshold=min(thresholds))), default=0.0) for q in distinct
        ]
        cells = [
            f"{sum(s >= t for s in dup_scores) / len(dup_scores):6.1%} /"
            f"{sum(s >= t for s in other_scores) / len(other_scores):5.1%}"
            for t in thresholds
        ]
        print(f"  {label:<18}" + "".join(f"{c:>15}" for c in cells))
    index.settings = settings

    print()
    verdicts = (
        (f"p99 <= {TARGET_P99_MS:.0f} ms", p99 <= TARGET_P99_MS, f"{p99:.2f} ms"),
        (f">= {TARGET_SPEEDUP:.0f}x baseline", speedup >= TARGET_SPEEDUP, f"{speedup:,.0f}x"),
        (f"recall >= {TARGET_RECALL:.0%}", recall >= TARGET_RECALL, f"{recall:.1%}"),
        (f"false conflicts <= {TARGET_FALSE:.0%}", false_rate <= TARGET_FALSE, f"{false_rate:.1%}"),
    )
    for label, ok, value in verdicts:
        print(f"target {label:<24} {'met' if ok else 'MISSED':<7} ({value})")
    print(f"peak memory {peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()

"""The organisations `bench/directory.py` searches: names as the directory has them, in many languages and
with accents, built in a fixed order from a seed, with unique PICs, OIDs and Erasmus codes."""

import random

SEED = 2026

# Country: (Erasmus country part, language, cities).
COUNTRIES = {
    "PL": ("PL", "pl", ["Łódź", "Kraków", "Wrocław", "Gdańsk", "Poznań", "Toruń", "Białystok", "Rzeszów"]),
    "DE": ("D", "de", ["München", "Köln", "Düsseldorf", "Nürnberg", "Würzburg", "Lübeck", "Göttingen"]),
    "AT": ("A", "de", ["Graz", "Linz", "Sankt Pölten", "Innsbruck", "Leoben", "Klagenfurt"]),
    "CH": ("CH", "fr", ["Zürich", "Genève", "Neuchâtel", "Fribourg", "Lausanne"]),
    "FR": ("F", "fr", ["Orléans", "Besançon", "Nîmes", "Angoulême", "Saint-Étienne", "Évry", "Amiens"]),
    "BE": ("B", "fr", ["Liège", "Namur", "Mons", "Louvain-la-Neuve", "Charleroi"]),
    "ES": ("E", "es", ["Málaga", "Córdoba", "León", "Cádiz", "Logroño", "A Coruña", "Jaén", "Ávila"]),
    "PT": ("P", "pt", ["Coimbra", "Évora", "Braga", "Guimarães", "Covilhã", "Setúbal"]),
    "IT": ("I", "it", ["Forlì", "Cantù", "Torino", "Cagliari", "Perugia", "Città di Castello"]),
    "DK": ("DK", "da", ["Århus", "København", "Aalborg", "Odense", "Roskilde", "Køge"]),
    "SE": ("S", "sv", ["Göteborg", "Malmö", "Linköping", "Umeå", "Örebro", "Växjö", "Jönköping"]),
    "FI": ("SF", "fi", ["Jyväskylä", "Hämeenlinna", "Tampere", "Oulu", "Seinäjoki"]),
    "CZ": ("CZ", "cs", ["Plzeň", "Brno", "České Budějovice", "Ústí nad Labem", "Hradec Králové"]),
    "EE": ("EE", "et", ["Tartu", "Pärnu", "Tallinn", "Võru"]),
    "GR": ("G", "el", ["Thessaloníki", "Pátra", "Irákleio", "Ioánnina", "Vólos"]),
    "HU": ("HU", "hu", ["Pécs", "Győr", "Szeged", "Debrecen", "Székesfehérvár"]),
    "RO": ("RO", "ro", ["Iași", "Brașov", "Timișoara", "Cluj-Napoca", "Constanța"]),
    "SK": ("SK", "sk", ["Košice", "Žilina", "Banská Bystrica", "Trenčín"]),
    "HR": ("HR", "hr", ["Osijek", "Split", "Rijeka", "Varaždin", "Šibenik"]),
    "NO": ("N", "no", ["Tromsø", "Bodø", "Ålesund", "Trondheim"]),
}
SURNAMES = [
    "Müller", "Schäfer", "Kowalczyk", "Wójcik", "Nowak", "Żółkiewski", "García", "Peña", "Jørgensen",
    "Ødegaard", "Björk", "Hämäläinen", "Dvořák", "Novák", "Papadopoulos", "Kovač", "Szabó", "Popescu",
    "Ionescu", "Rossi", "Bianchi", "Ferreira", "Gonçalves", "Dupont", "Lefèvre", "Girard", "Strauß", "Weiß",
    "Lindqvist", "Virtanen", "Horváth", "Tamm", "Kask", "Fernández", "Martínez", "Nielsen", "Sørensen",
    "Bergström", "Åkesson", "Černý", "Král", "Nagy", "Esposito", "Conti", "Silva", "Lambert", "Moreau",
]  # fmt: skip
# Per language: HEI name patterns and other name patterns, with {city}, {surname}, {field}, {trade}, {n} and
# {acronym}; the fields and trades they draw from.
LANGUAGES = {
    "pl": {
        "hei": ["Uniwersytet {field} {city}", "Politechnika {city}", "Akademia {field} im. {surname}",
                "Wyższa Szkoła {field} w {city}", "Szkoła Główna {field}", "Uniwersytet {city}",
                "Państwowa Akademia Nauk Stosowanych w {city}"],
        "fields": ["Medyczny", "Ekonomiczny", "Przyrodniczy", "Techniczno-Humanistyczna", "Sztuk Pięknych",
                   "Muzyczna", "Wychowania Fizycznego", "Informatyki i Zarządzania", "Rolnicza"],
        "other": ["Zespół Szkół Zawodowych nr {n} w {city}", "Centrum Kształcenia Zawodowego {city}",
                  "Szkoła Branżowa nr {n} im. {surname}", "{surname} {trade} Sp. z o.o.",
                  "Fundacja Rozwoju {field} {acronym}", "Izba Przemysłowo-Handlowa w {city}",
                  "Stowarzyszenie {surname} {acronym}"],
        "trades": ["Logistyka", "Budownictwo", "Elektronika", "Meble", "Oprogramowanie"],
    },
    "de": {
        "hei": ["Technische Universität {city}", "Hochschule für {field} {city}", "Fachhochschule {city}",
                "Universität {city}", "Pädagogische Hochschule {city}",
                "Akademie der Bildenden Künste {city}", "Hochschule für angewandte Wissenschaften {city}"],
        "fields": ["Musik", "Technik und Wirtschaft", "Gestaltung", "Medien", "Gesundheit",
                   "Forstwirtschaft"],
        "other": ["Berufskolleg {surname} {city}", "Berufsbildende Schule {n} {city}",
                  "{surname} {trade} GmbH", "{surname} & Söhne GmbH & Co. KG", "Handwerkskammer {city}",
                  "Industrie- und Handelskammer {city}", "Stiftung {surname} für {field}",
                  "{acronym} {trade} AG"],
        "trades": ["Maschinenbau", "Logistik", "Bäckerei", "Elektrotechnik", "Softwareentwicklung",
                   "Gerüstbau"],
    },
    "fr": {
        "hei": ["Université de {city}", "École nationale supérieure de {field} de {city}",
                "Institut national des sciences appliquées de {city}", "École supérieure d'art de {city}",
                "Haute École {surname}", "Conservatoire de {city}"],
        "fields": ["chimie", "génie électrique", "l'architecture", "commerce", "mécanique"],
        "other": ["Lycée professionnel {surname}", "Lycée polytechnique de {city}",
                  "Chambre de commerce et d'industrie de {city}", "{surname} {trade} S.A.",
                  "{surname} et Fils SARL", "Association {acronym} de {city}",
                  "Centre de formation {acronym}"],
        "trades": ["Ingénierie", "Bâtiment", "Électricité", "Transports", "Boulangerie"],
    },
    "es": {
        "hei": ["Universidad de {city}", "Universidad Politécnica de {city}",
                "Escuela Superior de Música de {city}", "Universidad {surname}", "Universidad de {field}"],
        "fields": ["Ciencias de la Salud", "Artes", "Ingeniería", "Economía"],
        "other": ["Instituto de Educación Secundaria {surname}",
                  "Centro Integrado de Formación Profesional {city}",
                  "{surname} {trade} S.A.", "{surname} y Asociados S.L.", "Fundación {surname}",
                  "Cámara de Comercio de {city}", "Asociación {acronym}"],
        "trades": ["Construcciones", "Logística", "Alimentación", "Energías Renovables"],
    },
    "pt": {
        "hei": ["Universidade de {city}", "Instituto Politécnico de {city}",
                "Escola Superior de Enfermagem de {city}", "Universidade {surname}"],
        "fields": ["Enfermagem", "Tecnologia", "Gestão"],
        "other": ["Escola Profissional de {city}", "{surname} {trade} Lda.",
                  "Associação Empresarial de {city}",
                  "Agrupamento de Escolas {surname}"],
        "trades": ["Construções", "Têxteis", "Calçado", "Informática"],
    },
    "it": {
        "hei": ["Università degli Studi di {city}", "Politecnico di {city}",
                "Conservatorio di Musica di {city}",
                "Accademia di Belle Arti di {city}", "Università {surname}"],
        "fields": ["Ingegneria", "Economia", "Architettura"],
        "other": ["Istituto Tecnico Industriale {surname}", "Istituto Professionale di Stato {surname}",
                  "{surname} {trade} S.p.A.", "{surname} & C. S.r.l.", "Camera di Commercio di {city}",
                  "Fondazione {surname}"],
        "trades": ["Meccanica", "Costruzioni", "Alimentari", "Tessile"],
    },
    "da": {
        "hei": ["{city} Universitet", "Københavns Professionshøjskole", "Erhvervsakademi {city}",
                "Det Kongelige Akademi {city}", "Professionshøjskolen {surname}"],
        "fields": ["Teknik", "Design"],
        "other": ["{city} Tekniske Skole", "{surname} {trade} A/S", "{surname} & Søn ApS",
                  "Erhvervsskolen {city}"],
        "trades": ["Byggeri", "Maskinfabrik", "Rådgivning"],
    },
    "sv": {
        "hei": ["{city} universitet", "Högskolan i {city}", "Tekniska högskolan i {city}",
                "Kungliga Musikhögskolan {city}"],
        "fields": ["Teknik"],
        "other": ["{surname} {trade} AB", "Yrkeshögskolan {city}", "Gymnasieskolan {surname}"],
        "trades": ["Bygg", "Elektronik", "Skogsvård"],
    },
    "fi": {
        "hei": ["{city}n yliopisto", "{city}n ammattikorkeakoulu", "Taideyliopisto {city}"],
        "fields": ["Tekniikka"],
        "other": ["{surname} {trade} Oy", "Ammattiopisto {city}", "Koulutuskeskus {acronym}"],
        "trades": ["Rakennus", "Metsä", "Ohjelmisto"],
    },
    "cs": {
        "hei": ["Západočeská univerzita v {city}", "Vysoká škola {field} {city}", "Univerzita {city}",
                "Vysoké učení technické v {city}"],
        "fields": ["báňská", "ekonomická", "chemicko-technologická", "uměleckoprůmyslová"],
        "other": ["Střední průmyslová škola {city}", "{surname} {trade} s.r.o.", "Hospodářská komora {city}"],
        "trades": ["Strojírenství", "Stavby", "Elektro"],
    },
    "et": {
        "hei": ["{city} Ülikool", "{city} Kõrgkool", "Eesti Kunstiakadeemia {city}"],
        "fields": ["Tehnika"],
        "other": ["{city} Kutsehariduskeskus", "{surname} {trade} OÜ", "{surname} AS"],
        "trades": ["Ehitus", "Tarkvara"],
    },
    "el": {
        "hei": ["Aristotélio Panepistímio {city}", "Panepistímio {city}",
                "Ellinikó Anoiktó Panepistímio {city}"],
        "fields": ["Technología"],
        "other": ["{surname} {trade} A.E.", "Institoúto Epangelmatikís Katártisis {city}"],
        "trades": ["Kataskevés", "Technikí"],
    },
    "hu": {
        "hei": ["{city}i Tudományegyetem", "{city}i Műszaki Egyetem", "Széchenyi István Egyetem {city}"],
        "fields": ["Műszaki"],
        "other": ["{surname} {trade} Kft.", "{city}i Szakképzési Centrum", "{surname} Zrt."],
        "trades": ["Építőipari", "Gépgyártó"],
    },
    "ro": {
        "hei": ["Universitatea din {city}", "Universitatea Tehnică {city}",
                "Universitatea de {field} {city}"],
        "fields": ["Medicină și Farmacie", "Arte", "Științe Agricole"],
        "other": ["{surname} {trade} S.R.L.", "Colegiul Tehnic {surname}", "Camera de Comerț {city}"],
        "trades": ["Construcții", "Software"],
    },
    "sk": {
        "hei": ["Technická univerzita v {city}", "Univerzita {surname} v {city}", "Vysoká škola {field}"],
        "fields": ["múzických umení", "ekonomická"],
        "other": ["Stredná odborná škola {city}", "{surname} {trade} s.r.o."],
        "trades": ["Stavby", "Strojárstvo"],
    },
    "hr": {
        "hei": ["Sveučilište u {city}", "Veleučilište u {city}", "Sveučilište {surname}"],
        "fields": ["Tehnika"],
        "other": ["Strukovna škola {city}", "{surname} {trade} d.o.o.", "Obrtnička komora {city}"],
        "trades": ["Graditeljstvo", "Brodogradnja"],
    },
    "no": {
        "hei": ["Universitetet i {city}", "Høgskulen i {city}",
                "Norges teknisk-naturvitenskapelige universitet {city}"],
        "fields": ["Teknologi"],
        "other": ["{surname} {trade} AS", "{city} videregående skole", "Fagskolen {city}"],
        "trades": ["Bygg", "Fiskeri"],
    },
}  # fmt: skip


def ascii_letters(text: str) -> str:
    """`Łódź` gives `LODZ`: the letters of a city for its Erasmus codes."""
    from partners.codes import fold_for_search

    return "".join(ch for ch in fold_for_search(text).upper() if "A" <= ch <= "Z")


class Directory:
    """Organisations generated in a fixed order from a seed, with unique PICs, OIDs and Erasmus codes."""

    def __init__(self, total: int):
        from partners.models import Country, OrganisationType

        self.rng = random.Random(SEED)
        known = set(Country.objects.values_list("code", flat=True))
        self.countries = {code: spec for code, spec in COUNTRIES.items() if code in known}
        self.country_codes = list(self.countries)
        types = list(OrganisationType.objects.order_by("pk"))
        self.hei = next(t for t in types if t.slug == "higher-education-institution")
        self.others = [t for t in types if not t.higher_education]
        self.pics = iter(self.rng.sample(range(100_000_000, 1_000_000_000), total))
        self.oids = iter(self.rng.sample(range(0, 100_000_000), total))
        self.erasmus_codes: set[str] = set()
        self.made = 0

    def acronym(self) -> str:
        letters = "ABCDEFGHIJKLMNOPRSTUWZ"
        word = "".join(self.rng.choice(letters) for _ in range(self.rng.randint(2, 5)))
        return word + (
            f"-{self.rng.choice(letters)}{self.rng.choice(letters)}" if self.rng.random() < 0.2 else ""
        )

    def erasmus_code(self, country: str, city: str) -> str:
        prefix = self.countries[country][0].ljust(3)
        stem = ascii_letters(city)[:8] or "CITY"
        for attempt in range(1000):
            extra = (
                "" if attempt < 50 else "".join(self.rng.choice("ABCDEFGHIKLMNOPRSTUVWXYZ") for _ in range(2))
            )
            code = f"{prefix}{stem[: max(3, len(stem) - len(extra))]}{extra}{self.rng.randint(1, 99):02d}"
            if code not in self.erasmus_codes:
                self.erasmus_codes.add(code)
                return code
        return ""

    def make(self, count: int) -> list:
        from partners.models import EcheStatus, Organisation

        rng = self.rng
        made = []
        for _ in range(count):
            country = rng.choice(self.country_codes)
            _prefix, language, cities = self.countries[country]
            words = LANGUAGES[language]
            city = rng.choice(cities)
            is_hei = rng.random() < 0.25
            pattern = rng.choice(words["hei"] if is_hei else words["other"])
            acronym = self.acronym()
            name = pattern.format(
                city=city,
                surname=rng.choice(SURNAMES),
                field=rng.choice(words["fields"]),
                trade=rng.choice(words["trades"]),
                n=rng.randint(1, 40),
                acronym=acronym,
            )
            if rng.random() < 0.15:  # a distinguishing part, as registries have
                name += f" {rng.choice(['–', '-', '/'])} {rng.choice(SURNAMES)} {acronym}"
            organisation = Organisation(
                legal_name=name,
                acronym=acronym if rng.random() < 0.6 else "",
                country_id=country,
                city=city,
                type=self.hei if is_hei else rng.choice(self.others),
                pic=str(next(self.pics)),
                oid=f"E{next(self.oids):08d}" if rng.random() < 0.7 else "",
                erasmus_code=self.erasmus_code(country, city) if is_hei and rng.random() < 0.7 else "",
                eche_status=rng.choice([EcheStatus.VALID, EcheStatus.PENDING]) if is_hei else "not_required",
                verified=rng.random() < 0.3,
            )
            organisation.normalise_identifiers()
            made.append(organisation)
        self.made += count
        return made

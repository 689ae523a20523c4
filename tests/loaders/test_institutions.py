"""Institutions from affiliation strings: real PubMed affiliations and their known variants."""

from __future__ import annotations

import pytest

from kolgraph.loaders.institutions import (
    author_marked_parts,
    institution_id,
    institution_key,
    parse_affiliation,
)


def only(text: str):
    found = parse_affiliation(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    "text, name, city, state, country",
    [
        (
            "Department of Medicine, Johns Hopkins University School of Medicine, Baltimore, MD 21205, USA.",
            "Johns Hopkins University",  # its school of medicine is the university
            "Baltimore",
            "MD",
            "United States",
        ),
        (
            "Department of Chemistry, University of Toronto, 80 St. George St., Toronto, ON M5S 3H6, "
            "Canada. jonathan.abbatt@utoronto.ca irenechen.wang@mail.utoronto.ca.",
            "University of Toronto",
            "Toronto",
            "ON",
            "Canada",
        ),
        (
            "Department of Women's and Children's Health, Institute of Translational Medicine, "
            "University of Liverpool, Crown Street, LiverpoolL8 7SS, UK.",
            "University of Liverpool",
            "Liverpool",
            "",
            "United Kingdom",
        ),
        (
            "The Novo Nordisk Foundation Center for Biosustainability, Building 220, Chemitorvet 200, "
            "Technical University of Denmark, 2800Kongens Lyngby, Denmark.",
            "Technical University of Denmark",
            "Kongens Lyngby",
            "",
            "Denmark",
        ),
        (
            "Department of Physiological Sciences, Faculty of Science, Stellenbosch University, "
            "Stellenbosch, Private Bag X1 Matieland, 7602, South Africa.",
            "Stellenbosch University",
            "Stellenbosch",
            "",
            "South Africa",
        ),
        (
            "Cedars-Sinai Medical Center, Los Angeles, California.",
            "Cedars-Sinai Medical Center",
            "Los Angeles",
            "CA",
            "United States",
        ),
        (
            "1 Department of Surgery, St. Louis University, St. Louis, MO 63110, USA",
            "St. Louis University",
            "St. Louis",
            "MO",
            "United States",
        ),
        (
            "Windland Smith Rice Sudden Death Genomics Laboratory, Department of Molecular Pharmacology "
            "& Experimental Therapeutics, Mayo Clinic, Rochester, MN, US",
            "Mayo Clinic",
            "Rochester",
            "MN",
            "United States",
        ),
        (
            "Molecular Oncology Laboratory, Hospital Clínico San Carlos, IdISSC, 28040 Madrid Spain.",
            "Hospital Clínico San Carlos",
            "Madrid",
            "",
            "Spain",
        ),
        (
            "Department of Physiology, Binzhou Medical University, Yantai Campus, 346 Guanhai Road, "
            "Laishan District, Yantai, 264003, Shandong, China.",
            "Binzhou Medical University",
            "Yantai",
            "Shandong",
            "China",
        ),
        (
            "Department of Parasitology, Medical College, Zhengzhou University, Zhengzhou 450052, "
            "China. Electronic address: cuij@zzu.edu.cn.",
            "Zhengzhou University",
            "Zhengzhou",
            "",
            "China",
        ),
        (
            "State Key Laboratory of Urban Water Resource and Environment (Harbin Institute of "
            "Technology), Harbin 150080, China.",
            "Harbin Institute of Technology",
            "Harbin",
            "",
            "China",
        ),
        (
            "Genentech, South San Francisco, CA 94080, USA. behrens.tim@gene.com",
            "Genentech",
            "South San Francisco",
            "CA",
            "United States",
        ),
    ],
)
def test_real_affiliations(text, name, city, state, country):
    found = only(text)
    assert (found.name, found.city, found.state, found.country) == (name, city, state, country)


@pytest.mark.parametrize(
    "variants",
    [
        [
            "University of Iowa",
            "Univ. of Iowa",
            "The University of Iowa",
            "UNIVERSITY OF IOWA",
            "University  of Iowa.",
        ],
        [
            "Brigham and Women's Hospital",
            "Brigham & Women's Hospital",
            "Brigham and Womens Hospital",
        ],
        ["Université Laval", "Universite Laval", "Univ Laval"],
        ["Memorial Sloan-Kettering Cancer Center", "Memorial Sloan Kettering Cancer Centre"],
        ["University of California, Los Angeles", "University of California at Los Angeles"],
        ["St. Jude Children's Research Hospital", "Saint Jude Children's Research Hospital"],
        [
            "Icahn School of Medicine at Mount Sinai (ISMMS)",
            "Icahn School of Medicine at Mount Sinai",
        ],
        [
            "The University of Texas MD Anderson Cancer Center",
            "University of Texas M.D. Anderson Cancer Center",
            "University of Texas M. D. Anderson Cancer Center",
        ],
        ["Pfizer Inc.", "Pfizer, Inc.", "Pfizer"],
        ["University of Copenhagen", "Copenhagen University"],
        ["Aarhus University Hospital", "University of Aarhus", "Aarhus University"],
    ],
)
def test_known_variants_share_one_id(variants):
    ids = {only(f"Department of Medicine, {v}, Somewhere, USA").institution_id for v in variants}
    assert len(ids) == 1, ids


@pytest.mark.parametrize("town", ["Washington", "Miami", "York", "Jinan", "Newcastle"])
def test_x_university_and_university_of_x_stay_two_where_they_are_two(town):
    ids = {
        only(f"Department of Medicine, {name}, Somewhere, USA").institution_id
        for name in (f"{town} University", f"University of {town}")
    }
    assert len(ids) == 2


def test_a_university_named_after_a_person_and_its_city_is_the_university():
    heidelberg = [
        "Ruprecht-Karls-Universität Heidelberg, Heidelberg, Germany.",
        "Ruprecht-Karls-Universität, Heidelberg, Germany.",
    ]
    assert len({only(text).institution_id for text in heidelberg}) == 1
    giessen = [
        "Justus-Liebig-Universität Giessen, Giessen, Germany.",
        "Justus-Liebig-University, Giessen, Germany.",
    ]
    assert len({only(text).institution_id for text in giessen}) == 1


@pytest.mark.parametrize(
    "one, other",
    [
        ("Universidad de Barcelona, Barcelona, Spain.", "Universidad de Granada, Granada, Spain."),
        (
            "Technische Universität München, Munich, Germany.",
            "Technische Universität Dresden, Dresden, Germany.",
        ),
        (
            "Vrije Universiteit Amsterdam, Amsterdam, Netherlands.",
            "Vrije Universiteit Brussel, Brussel, Belgium.",
        ),
        ("Hospital Quirón Madrid, Madrid, Spain.", "Hospital Quirón Barcelona, Barcelona, Spain."),
        (
            "Istituto di Medicina Legale, Università degli Studi Pavia, Pavia, Italy.",
            "Istituto di Medicina Legale, Università degli Studi Milano, Milano, Italy.",
        ),
        ("Aix-Marseille Université, Marseille, France.", "Aix Université, Aix, France."),
    ],
)
def test_a_city_that_tells_two_institutions_apart_stays_in_the_key(one, other):
    assert only(one).institution_id != only(other).institution_id


def test_campuses_of_a_state_system_stay_apart():
    sf = only("Department of Pharmacology, University of California, San Francisco, CA, USA.")
    la = only("Department of Pathology, University of California, Los Angeles, CA 90095, USA.")
    assert sf.name == "University of California, San Francisco"
    assert sf.institution_id != la.institution_id


def test_generic_names_are_told_apart_by_city():
    zurich = only("Department of Medicine, University Hospital, Zurich, Switzerland")
    basel = only("Dept. of Medicine, University Hospital, Basel, Switzerland")
    assert zurich.institution_id == "INST-university-hospital-zurich"
    assert basel.institution_id == "INST-university-hospital-basel"


def test_several_institutions_separated_by_semicolons():
    found = parse_affiliation(
        "Department of Neurological Surgery, The Ohio State Wexner Medical Center, 410 West 10th "
        "Street, Columbus, OH 43210, USA; The Ohio State University College of Medicine, "
        "370 West 9th street, Columbus, OH 43210, USA."
    )
    assert [(f.name, f.city, f.state) for f in found] == [
        ("The Ohio State Wexner Medical Center", "Columbus", "OH"),
        ("Ohio State University", "Columbus", "OH"),  # its college of medicine
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Department of Neurology.",
        "Bochum, Germany.",
        "Palm Springs, California.",
        "",
        "the Department of Biology and.",
    ],
)
def test_no_institution(text):
    assert parse_affiliation(text) == ()


def test_author_marked_joint_affiliation():
    parts = author_marked_parts(
        "From the Firestone Institute, McMaster University, Hamilton, ON (P.M.O.), and the "
        "Institute for Heart and Lung Health, University of British Columbia, Vancouver (J.M.F.) "
        "- both in Canada; the Department of Medicine, University of Cape Town, Cape Town, "
        "South Africa (E.D.B.); AstraZeneca, Gothenburg, Sweden (C.K., C.J.)"
    )
    assert [sorted(marks) for _, marks in parts] == [["PMO"], ["JMF"], ["EDB"], ["CJ", "CK"]]
    assert parts[1][0].endswith("Vancouver, Canada")
    assert author_marked_parts("Department of Medicine, Mayo Clinic (MN), Rochester") == []


def test_keys_and_ids():
    assert (
        institution_key("The Johns Hopkins Univ. & Hosp.")
        == "johns hopkins university and hospital"
    )
    assert institution_id("johns hopkins university") == "INST-johns-hopkins-university"
    long_key = "national institute of " + "very " * 20 + "long research"
    long_id = institution_id(long_key)
    assert len(long_id) <= 70 and long_id == institution_id(long_key)
    assert long_id != institution_id(long_key + " two")


def test_types():
    assert only("Mayo Clinic, Rochester, MN, USA").type == "hospital"
    assert only("Purdue University, West Lafayette, IN 47907, USA").type == "university"
    assert only("Genentech Inc., South San Francisco, CA, USA").type == "company"
    assert only("Broad Institute, Cambridge, MA, USA").type == "research institute"


@pytest.mark.parametrize(
    "variants, name",
    [
        (
            [
                "Feinberg School of Medicine, Northwestern University, Chicago, IL 60611, USA.",
                "Department of Medicine, Northwestern University Feinberg School of Medicine, "
                "Chicago, Illinois, USA.",
                "Northwestern Univ., Chicago, IL.",
            ],
            "Northwestern University",
        ),
        (
            [
                "Department of Surgery, Perelman School of Medicine at the University of "
                "Pennsylvania, Philadelphia, PA, USA.",
                "Division of Cardiology, University of Pennsylvania, Philadelphia, PA 19104, USA.",
            ],
            "University of Pennsylvania",
        ),
        (
            [
                "Department of Pathology, University of Iowa Hospitals and Clinics, Iowa City, "
                "IA, USA.",
                "Dept. of Internal Medicine, University of Iowa College of Medicine, "
                "Iowa City, IA 52242, USA.",
                "Department of Medicine, The University of Iowa, Iowa City, Iowa, USA.",
            ],
            "University of Iowa",
        ),
    ],
)
def test_a_school_or_hospital_of_a_university_is_the_university(variants, name):
    found = [only(text) for text in variants]
    assert {f.institution_id for f in found} == {found[0].institution_id}
    assert found[0].name == name


def test_named_hospitals_and_generic_university_hospitals_keep_their_identity():
    mgh = only("Department of Surgery, Massachusetts General Hospital, Harvard Medical School, MA")
    assert mgh.name == "Massachusetts General Hospital"
    assert only("Department of Medicine, University Hospital, Basel, Switzerland").name == (
        "University Hospital"
    )
    assert only("Harvard Medical School, Boston, MA, USA").name == "Harvard Medical School"


# Two institutions must not become one: each text below is real (the gold article file,
# medline16n0902, pubmed20n0014), and each was read as the wrong institution before.
@pytest.mark.parametrize(
    "text, name",
    [
        # a field alone is a unit of the institution after it
        ("Internal Medicine, Erasmus MC, Rotterdam, Netherlands.", "Erasmus MC"),
        ("Health Economics, AstraZeneca, Molndal, Gothenburg, Sweden.", "AstraZeneca"),
        (
            "Research and Development, Novo Nordisk A/S, Bagsvaerd, Copenhagen, Denmark.",
            "Novo Nordisk A/S",
        ),
        ("Medical Dept., TAKEDA Pharma, Aachen, Germany.", "TAKEDA Pharma"),
        # a field's clinic loses to the institution named after it
        (
            "Menopause Clinic, 2nd Department of Obstetrics and Gynecology, University of Athens, "
            "Aretaieio Hospital, 33 Metonos Street, Holargos, Athens, Greece.",
            "University of Athens",
        ),
        # the adjective is not the university
        (
            "Department of Hematology, Hospital Universitario La Paz, Madrid, Spain.",
            "Hospital Universitario La Paz",
        ),
        (
            "HIV Unit, Infectious Disease Service, Hospital Universitari de Bellvitge, "
            "Barcelona, Spain.",
            "Hospital Universitari de Bellvitge",
        ),
        # a hospital in its own language
        (
            "Internal Medicine, Groene Hart Ziekenhuis, Gouda, Amsterdam, Netherlands.",
            "Groene Hart Ziekenhuis",
        ),
        ("Gynaecology, Spedali Riuniti, Pistoia, Italy.", "Spedali Riuniti"),
        (
            "Klinik für Hals-Nasen-Ohren-Heilkunde, Hals- und Gesichtschirurgie, Luzerner "
            "Kantonsspital, Luzern, Schweiz.",
            "Luzerner Kantonsspital",
        ),
        # a university named for its field keeps that name
        (
            "Department of Immunology, School of Medicine, Tehran University of Medical Sciences, "
            "Tehran, Iran.",
            "Tehran University of Medical Sciences",
        ),
        (
            "Department of Radiology, Kyoto Prefectural University of Medicine, Kyoto, Japan.",
            "Kyoto Prefectural University of Medicine",
        ),
        (
            "Department of Pathobiology,Institute of Parasitology,University of Veterinary "
            "Medicine Vienna,Veterinaerplatz 1,1210 Vienna,Austria.",
            "University of Veterinary Medicine Vienna",
        ),
        (
            "Department of Neurosurgery, Medical University of South Carolina, Charleston, "
            "South Carolina, USA.",
            "Medical University of South Carolina",
        ),
        (
            "Diabetes Center, Tokyo Medical & Dental University, Tokyo, Japan.",
            "Tokyo Medical & Dental University",
        ),
        (
            "Department of Anesthesiology, Tokyo Medical and Dental University, Graduate School "
            "of Medical and Dental Sciences, 1-5-45 Yushima, Bunkyo-ku, Tokyo 113-8519, Japan.",
            "Tokyo Medical and Dental University",
        ),
        # a legal form is part of the company's name
        ("Pfizer, Inc., USA.", "Pfizer Inc"),
        ("Clinical Development, Merck & Co., Inc., West Point, PA, USA.", "Merck & Co Inc"),
    ],
)
def test_units_adjectives_and_legal_forms_are_not_institutions(text, name):
    assert only(text).name == name


def test_a_company_with_and_without_its_legal_form_is_one_institution():
    written = [
        "Pfizer, Inc., New York, NY, USA.",
        "Pfizer Inc., New York, NY",
        "Pfizer, New York, NY",
    ]
    assert {only(text).institution_id for text in written} == {"INST-pfizer"}
    assert only("Merck & Co., Inc., Kenilworth, New Jersey.").institution_id == "INST-merck"
    # Merck KGaA of Darmstadt is another company
    assert only("Merck KGaA, Darmstadt, Germany.").institution_id != "INST-merck"


def test_a_government_medical_college_in_two_cities_is_two_institutions():
    found = [
        only(f"Department of Surgery, Government Medical College, {city}, India.")
        for city in ("Nagpur", "Kozhikode")
    ]
    assert found[0].institution_id != found[1].institution_id


def test_the_same_field_centre_in_two_cities_is_two_institutions():
    munich = only("Diabetes Center, Medizinische Klinik, München, Germany.")
    prague = only("Diabetes Center, Prague, Czech Republic.")
    assert (munich.name, prague.name) == ("Diabetes Center", "Diabetes Center")
    assert munich.institution_id != prague.institution_id


def test_campuses_of_a_state_system_are_told_apart_by_their_city():
    san_antonio = only(
        "Department of Medicine, University of Texas Health Science Center, San Antonio, TX, USA."
    )
    houston = only("Department of Medicine, University of Texas Medical School, Houston, TX, USA.")
    assert san_antonio.name == houston.name == "University of Texas"
    assert san_antonio.institution_id != houston.institution_id
    written_campus = only(
        "Department of Surgery, University of California, San Francisco, CA, USA."
    )
    city_only = only(
        "Department of Surgery, University of California Medical School, San Francisco, CA, USA."
    )
    assert written_campus.institution_id == city_only.institution_id


@pytest.mark.parametrize(
    "text, name, city, country",
    [
        # Spanish and Portuguese universities are universities, not their institutes
        (
            "Instituto de Química e Biotecnologia, Universidade Federal de Alagoas, Maceió-AL, "
            "Brazil.",
            "Universidade Federal de Alagoas",
            "Maceió-AL",
            "Brazil",
        ),
        (
            "Dpto. Química Inorgánica I, Facultad de Ciencias Químicas, Universidad Complutense "
            "de Madrid, 28040 Madrid, Spain. mppico@ucm.es.",
            "Universidad Complutense de Madrid",
            "Madrid",
            "Spain",
        ),
        # countries the old table lacked: the country was read as the city
        (
            "Trencin University, Trencin, Slovak Republic.",
            "Trencin University",
            "Trencin",
            "Slovakia",
        ),
        (
            "Endocrinology Department, State Endocrinology Center, Minsk, Belarus.",
            "State Endocrinology Center",
            "Minsk",
            "Belarus",
        ),
        (
            "Faculty of Medicine and Biomedical Sciences, University of Yaounde I, Yaounde, "
            "Cameroon.",
            "University of Yaounde I",
            "Yaounde",
            "Cameroon",
        ),
        # a country written in its own language
        (
            "Servicio de Pediatría, Hospital Universitario Lucus Augusti, Lugo, España. "
            "Electronic address: esther.vazquez.lopez@sergas.es.",
            "Hospital Universitario Lucus Augusti",
            "Lugo",
            "Spain",
        ),
        # a US state that is a country's name too
        (
            "Department of Medicine, Emory University, Atlanta, Georgia",
            "Emory University",
            "Atlanta",
            "United States",
        ),
    ],
)
def test_universities_and_countries_of_every_language(text, name, city, country):
    found = only(text)
    assert (found.name, found.city, found.country) == (name, city, country)


@pytest.mark.parametrize(
    "text, city, state",
    [
        ("Armed Forces Radiobiology Research Institute, Bethesda, Md.", "Bethesda", "MD"),
        ("Department of Pediatrics, Mount Sinai Hospital, New York, N.Y.", "New York", "NY"),
        ("Oregon Health Sciences University, Portland, Ore.", "Portland", "OR"),
        (
            "Department of Medicine, University of Manitoba, Winnipeg, Man., Canada",
            "Winnipeg",
            "MB",
        ),
        ("Department of Medicine, Indiana University, Indianapolis, IN USA", "Indianapolis", "IN"),
    ],
)
def test_states_as_older_affiliations_write_them(text, city, state):
    found = only(text)
    assert (found.city, found.state) == (city, state) and found.country in (
        "United States",
        "Canada",
    )

"""Realistic synthetic canonical bundles for demos and benchmarks (``kolgraph generate``).

The generated world has the structure the analytics look for:

* HCPs belong to research communities (a therapeutic area at one institution).  Productivity
  is power-law (Pareto fitness times cumulative advantage, year by year), author lists are
  drawn within a community with a few bridge papers between communities, so the co-authorship
  graph has hubs, communities and bridges.
* Institutions (academic medical centres, community hospitals, clinics) sit in US states; the
  state gives the HCP's territory, the community gives the therapeutic area and specialty.
* Touchpoints over two years ending at ``as_of`` are skewed to productive HCPs, logged by an MSL
  covering the HCP's territory and therapeutic area.  Their insight text carries the recurring
  themes of :data:`PLANTED_THEMES` (some growing, some fading) mixed with noise notes.
* Coverage gaps are planted: some top HCPs are never touched, some only long ago, and the
  :data:`NO_MSL_CELL` territory has no MSL for one therapeutic area.

Everything is drawn from one seed (same seed, byte-identical files) with vectorised numpy
sampling.  Publications, authorships, HCPs and touchpoints are written in chunks, so the L size
streams: only per-HCP arrays (a few numbers per HCP) stay in memory.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from kolgraph import schema
from kolgraph.errors import InputError

Progress = Callable[[int], None]


# --- sizes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SizeSpec:
    """How much to generate for one ``--size``."""

    hcps: int
    publications: int
    trials: int
    touchpoints: int
    msls_per_cell: tuple[int, int]  # MSLs per (territory, therapeutic area), inclusive range


SIZES: dict[str, SizeSpec] = {
    "S": SizeSpec(2_000, 8_000, 120, 6_000, (1, 2)),
    "M": SizeSpec(50_000, 200_000, 3_000, 100_000, (3, 5)),
    "L": SizeSpec(500_000, 2_000_000, 30_000, 1_000_000, (25, 40)),
}

PUBLICATION_YEARS = 15
TOUCHPOINT_DAYS = 730
CHUNK_PAPERS = 25_000  # papers per sampling round (also the cumulative-advantage step)
CHUNK_ROWS = 50_000  # HCPs / affiliations / touchpoints per written chunk
HCPS_PER_INSTITUTION = 40
HCPS_PER_COMMUNITY = 25
AUTHOR_COUNT_P = np.array([4, 7, 10, 12, 13, 13, 11, 9, 7, 5, 5, 4], dtype=float)  # 1..12 authors
BRIDGE_SHARE = 0.12  # papers with a third of their authors from a second community
PARETO_SHAPE = 2.0  # HCP fitness tail; smaller = more extreme stars
FITNESS_CAP = 20.0
LEADER_BOOST = 2.5  # the senior figure of each research group
ADVANTAGE = 0.4  # cumulative advantage: weight grows with (1 + papers so far) ** ADVANTAGE


# --- vocabulary ---------------------------------------------------------------------------

#: Territory -> states (two-letter codes).
TERRITORIES: dict[str, tuple[str, ...]] = {
    "Northeast": ("MA", "NY", "PA", "CT", "NJ", "RI", "NH", "ME", "VT"),
    "Southeast": ("MD", "DC", "VA", "NC", "SC", "GA", "FL"),
    "Midwest": ("OH", "MI", "IL", "IN", "WI", "MN", "IA", "MO", "NE", "KS"),
    "South Central": ("TX", "OK", "LA", "AR", "TN", "KY", "AL", "MS"),
    "West": ("CA", "AZ", "NV", "UT", "CO", "NM", "HI"),
    "Pacific Northwest": ("WA", "OR", "ID", "MT", "AK"),
}

#: State -> (name, rough population in millions, cities).
STATES: dict[str, tuple[str, float, tuple[str, ...]]] = {
    "MA": ("Massachusetts", 7.0, ("Boston", "Worcester", "Springfield")),
    "NY": ("New York", 19.6, ("New York", "Rochester", "Buffalo", "Albany")),
    "PA": ("Pennsylvania", 13.0, ("Philadelphia", "Pittsburgh", "Hershey")),
    "CT": ("Connecticut", 3.6, ("New Haven", "Hartford")),
    "NJ": ("New Jersey", 9.3, ("Newark", "New Brunswick", "Hackensack")),
    "RI": ("Rhode Island", 1.1, ("Providence",)),
    "NH": ("New Hampshire", 1.4, ("Lebanon", "Manchester")),
    "ME": ("Maine", 1.4, ("Portland", "Bangor")),
    "VT": ("Vermont", 0.6, ("Burlington",)),
    "MD": ("Maryland", 6.2, ("Baltimore", "Bethesda")),
    "DC": ("District of Columbia", 0.7, ("Washington",)),
    "VA": ("Virginia", 8.7, ("Richmond", "Charlottesville", "Norfolk")),
    "NC": ("North Carolina", 10.8, ("Durham", "Chapel Hill", "Charlotte", "Winston-Salem")),
    "SC": ("South Carolina", 5.3, ("Charleston", "Columbia")),
    "GA": ("Georgia", 11.0, ("Atlanta", "Augusta", "Savannah")),
    "FL": ("Florida", 22.6, ("Miami", "Tampa", "Gainesville", "Jacksonville", "Orlando")),
    "OH": ("Ohio", 11.8, ("Cleveland", "Columbus", "Cincinnati")),
    "MI": ("Michigan", 10.0, ("Ann Arbor", "Detroit", "Grand Rapids")),
    "IL": ("Illinois", 12.5, ("Chicago", "Springfield", "Peoria")),
    "IN": ("Indiana", 6.9, ("Indianapolis", "Fort Wayne")),
    "WI": ("Wisconsin", 5.9, ("Madison", "Milwaukee")),
    "MN": ("Minnesota", 5.7, ("Rochester", "Minneapolis", "St. Paul")),
    "IA": ("Iowa", 3.2, ("Iowa City", "Des Moines")),
    "MO": ("Missouri", 6.2, ("St. Louis", "Kansas City", "Columbia")),
    "NE": ("Nebraska", 2.0, ("Omaha", "Lincoln")),
    "KS": ("Kansas", 2.9, ("Kansas City", "Wichita")),
    "TX": ("Texas", 30.5, ("Houston", "Dallas", "San Antonio", "Austin", "Galveston")),
    "OK": ("Oklahoma", 4.0, ("Oklahoma City", "Tulsa")),
    "LA": ("Louisiana", 4.6, ("New Orleans", "Baton Rouge")),
    "AR": ("Arkansas", 3.1, ("Little Rock",)),
    "TN": ("Tennessee", 7.1, ("Nashville", "Memphis", "Knoxville")),
    "KY": ("Kentucky", 4.5, ("Louisville", "Lexington")),
    "AL": ("Alabama", 5.1, ("Birmingham", "Mobile")),
    "MS": ("Mississippi", 2.9, ("Jackson",)),
    "CA": (
        "California",
        39.0,
        ("Los Angeles", "San Francisco", "San Diego", "Sacramento", "Stanford", "Irvine"),
    ),
    "AZ": ("Arizona", 7.4, ("Phoenix", "Tucson", "Scottsdale")),
    "NV": ("Nevada", 3.2, ("Las Vegas", "Reno")),
    "UT": ("Utah", 3.4, ("Salt Lake City",)),
    "CO": ("Colorado", 5.9, ("Denver", "Aurora")),
    "NM": ("New Mexico", 2.1, ("Albuquerque",)),
    "HI": ("Hawaii", 1.4, ("Honolulu",)),
    "WA": ("Washington", 7.8, ("Seattle", "Spokane", "Tacoma")),
    "OR": ("Oregon", 4.2, ("Portland", "Eugene")),
    "ID": ("Idaho", 1.9, ("Boise", "Coeur d'Alene")),
    "MT": ("Montana", 1.1, ("Billings", "Missoula")),
    "AK": ("Alaska", 0.7, ("Anchorage",)),
}


@dataclass(frozen=True)
class TherapeuticArea:
    """Words used for one therapeutic area's HCPs, papers, trials and touchpoints."""

    name: str
    share: float  # share of research communities
    specialties: tuple[str, ...]  # the first is the most common
    diseases: tuple[str, ...]
    interventions: tuple[str, ...]
    conditions: tuple[str, ...]  # ClinicalTrials.gov style
    mesh_terms: tuple[str, ...]
    journals: tuple[str, ...]
    topics: tuple[str, ...]


THERAPEUTIC_AREAS: tuple[TherapeuticArea, ...] = (
    TherapeuticArea(
        "oncology",
        0.30,
        (
            "Medical Oncology",
            "Hematology/Oncology",
            "Radiation Oncology",
            "Surgical Oncology",
            "Gynecologic Oncology",
        ),
        (
            "non-small cell lung cancer",
            "metastatic breast cancer",
            "colorectal cancer",
            "multiple myeloma",
            "diffuse large B-cell lymphoma",
            "prostate cancer",
            "melanoma",
            "ovarian cancer",
        ),
        (
            "immune checkpoint inhibitors",
            "antibody-drug conjugates",
            "CDK4/6 inhibitors",
            "CAR T-cell therapy",
            "PARP inhibitors",
            "neoadjuvant chemotherapy",
            "stereotactic radiotherapy",
        ),
        (
            "Non-small Cell Lung Cancer",
            "Breast Cancer",
            "Colorectal Cancer",
            "Multiple Myeloma",
            "Diffuse Large B-Cell Lymphoma",
            "Prostate Cancer",
            "Melanoma",
            "Ovarian Cancer",
        ),
        (
            "Neoplasms",
            "Lung Neoplasms",
            "Breast Neoplasms",
            "Colorectal Neoplasms",
            "Multiple Myeloma",
            "Antineoplastic Agents",
            "Immunotherapy",
            "Carcinoma, Non-Small-Cell Lung",
            "Immune Checkpoint Inhibitors",
            "Drug Resistance, Neoplasm",
            "Biomarkers, Tumor",
            "Progression-Free Survival",
        ),
        (
            "Journal of Clinical Oncology",
            "The Lancet Oncology",
            "JAMA Oncology",
            "Annals of Oncology",
            "Clinical Cancer Research",
            "Cancer",
        ),
        (
            "first-line immunotherapy data",
            "biomarker testing",
            "ADC safety profile",
            "sequencing after progression",
            "congress data readout",
        ),
    ),
    TherapeuticArea(
        "cardiology",
        0.20,
        (
            "Cardiology",
            "Interventional Cardiology",
            "Cardiac Electrophysiology",
            "Advanced Heart Failure and Transplant Cardiology",
        ),
        (
            "heart failure with reduced ejection fraction",
            "heart failure with preserved ejection fraction",
            "atrial fibrillation",
            "hypertrophic cardiomyopathy",
            "acute coronary syndrome",
            "familial hypercholesterolemia",
            "transthyretin amyloid cardiomyopathy",
        ),
        (
            "SGLT2 inhibitors",
            "PCSK9 inhibitors",
            "catheter ablation",
            "direct oral anticoagulants",
            "cardiac myosin inhibitors",
            "transcatheter aortic valve replacement",
        ),
        (
            "Heart Failure",
            "Atrial Fibrillation",
            "Hypertrophic Cardiomyopathy",
            "Acute Coronary Syndrome",
            "Familial Hypercholesterolemia",
            "ATTR Cardiomyopathy",
        ),
        (
            "Heart Failure",
            "Atrial Fibrillation",
            "Cardiomyopathy, Hypertrophic",
            "Stroke Volume",
            "Anticoagulants",
            "Sodium-Glucose Transporter 2 Inhibitors",
            "Coronary Artery Disease",
            "Hypercholesterolemia",
            "Amyloid Neuropathies, Familial",
            "Catheter Ablation",
            "Treatment Outcome",
            "Risk Factors",
        ),
        (
            "Circulation",
            "Journal of the American College of Cardiology",
            "European Heart Journal",
            "JAMA Cardiology",
            "Heart Rhythm",
            "JACC: Heart Failure",
        ),
        (
            "heart failure guidelines",
            "lipid management",
            "anticoagulation strategy",
            "outcomes trial results",
            "imaging follow-up",
        ),
    ),
    TherapeuticArea(
        "neurology",
        0.18,
        (
            "Neurology",
            "Epilepsy",
            "Movement Disorders",
            "Neuromuscular Medicine",
            "Headache Medicine",
        ),
        (
            "relapsing multiple sclerosis",
            "migraine",
            "Alzheimer disease",
            "Parkinson disease",
            "spinal muscular atrophy",
            "myasthenia gravis",
            "drug-resistant epilepsy",
        ),
        (
            "anti-CGRP monoclonal antibodies",
            "anti-amyloid antibodies",
            "B-cell depleting therapy",
            "gene therapy",
            "FcRn antagonists",
            "deep brain stimulation",
        ),
        (
            "Relapsing Multiple Sclerosis",
            "Migraine",
            "Alzheimer Disease",
            "Parkinson Disease",
            "Spinal Muscular Atrophy",
            "Myasthenia Gravis",
            "Epilepsy",
        ),
        (
            "Multiple Sclerosis",
            "Migraine Disorders",
            "Alzheimer Disease",
            "Parkinson Disease",
            "Epilepsy",
            "Myasthenia Gravis",
            "Muscular Atrophy, Spinal",
            "Magnetic Resonance Imaging",
            "Disease Progression",
            "Quality of Life",
            "Amyloid beta-Peptides",
            "Deep Brain Stimulation",
        ),
        (
            "Neurology",
            "The Lancet Neurology",
            "JAMA Neurology",
            "Annals of Neurology",
            "Brain",
            "Multiple Sclerosis Journal",
        ),
        (
            "MRI monitoring",
            "disease-modifying therapy",
            "infusion logistics",
            "long-term extension data",
            "diagnostic workup",
        ),
    ),
    TherapeuticArea(
        "immunology",
        0.18,
        ("Rheumatology", "Dermatology", "Gastroenterology", "Allergy and Immunology"),
        (
            "rheumatoid arthritis",
            "psoriatic arthritis",
            "plaque psoriasis",
            "Crohn disease",
            "ulcerative colitis",
            "atopic dermatitis",
            "systemic lupus erythematosus",
        ),
        (
            "JAK inhibitors",
            "IL-23 inhibitors",
            "TNF inhibitors",
            "IL-17 inhibitors",
            "anti-IL-4/IL-13 therapy",
            "anti-interferon therapy",
        ),
        (
            "Rheumatoid Arthritis",
            "Psoriatic Arthritis",
            "Psoriasis",
            "Crohn Disease",
            "Ulcerative Colitis",
            "Atopic Dermatitis",
            "Systemic Lupus Erythematosus",
        ),
        (
            "Arthritis, Rheumatoid",
            "Psoriasis",
            "Crohn Disease",
            "Colitis, Ulcerative",
            "Dermatitis, Atopic",
            "Lupus Erythematosus, Systemic",
            "Janus Kinase Inhibitors",
            "Biosimilar Pharmaceuticals",
            "Tumor Necrosis Factor Inhibitors",
            "Antirheumatic Agents",
            "Interleukin-23",
            "Remission Induction",
        ),
        (
            "Annals of the Rheumatic Diseases",
            "Arthritis & Rheumatology",
            "Gastroenterology",
            "Journal of the American Academy of Dermatology",
            "Journal of Crohn's and Colitis",
            "Rheumatology",
        ),
        (
            "treat-to-target practice",
            "mechanism of action",
            "steroid-sparing strategy",
            "long-term safety data",
            "combination therapy",
        ),
    ),
    TherapeuticArea(
        "endocrinology",
        0.14,
        ("Endocrinology, Diabetes and Metabolism", "Pediatric Endocrinology", "Obesity Medicine"),
        (
            "type 2 diabetes",
            "type 1 diabetes",
            "obesity",
            "diabetic kidney disease",
            "acromegaly",
            "hypoparathyroidism",
            "Cushing syndrome",
        ),
        (
            "GLP-1 receptor agonists",
            "dual GIP/GLP-1 agonists",
            "continuous glucose monitoring",
            "automated insulin delivery",
            "once-weekly basal insulin",
            "SGLT2 inhibitors",
        ),
        (
            "Type 2 Diabetes",
            "Type 1 Diabetes",
            "Obesity",
            "Diabetic Kidney Disease",
            "Acromegaly",
            "Hypoparathyroidism",
            "Cushing Syndrome",
        ),
        (
            "Diabetes Mellitus, Type 2",
            "Diabetes Mellitus, Type 1",
            "Obesity",
            "Glucagon-Like Peptide-1 Receptor Agonists",
            "Insulin",
            "Blood Glucose Self-Monitoring",
            "Glycated Hemoglobin",
            "Weight Loss",
            "Diabetic Nephropathies",
            "Hypoglycemic Agents",
            "Acromegaly",
            "Hypoparathyroidism",
        ),
        (
            "Diabetes Care",
            "The Lancet Diabetes & Endocrinology",
            "Diabetes",
            "Journal of Clinical Endocrinology and Metabolism",
            "Obesity",
            "Diabetologia",
        ),
        (
            "glycaemic targets",
            "weight management",
            "technology adoption",
            "cardiorenal outcomes",
            "supply questions",
        ),
    ),
)
TA_NAMES = tuple(ta.name for ta in THERAPEUTIC_AREAS)

#: The (territory, therapeutic area) deliberately left without any MSL.
NO_MSL_CELL = ("Pacific Northwest", "neurology")

GENERIC_MESH = (
    "Humans",
    "Female",
    "Male",
    "Middle Aged",
    "Aged",
    "Adult",
    "Retrospective Studies",
    "Prospective Studies",
    "Cohort Studies",
    "Randomized Controlled Trials as Topic",
)

FIRST_NAMES = (
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Christopher",
    "Karen",
    "Daniel",
    "Lisa",
    "Matthew",
    "Nancy",
    "Anthony",
    "Sandra",
    "Mark",
    "Ashley",
    "Steven",
    "Emily",
    "Andrew",
    "Michelle",
    "Kevin",
    "Amanda",
    "Brian",
    "Melissa",
    "Priya",
    "Raj",
    "Wei",
    "Mei",
    "Hiroshi",
    "Yuki",
    "Ahmed",
    "Fatima",
    "Omar",
    "Aisha",
    "Carlos",
    "Maria",
    "Luis",
    "Ana",
    "Jorge",
    "Sofia",
    "Alejandro",
    "Lucia",
    "Olga",
    "Dmitri",
    "Ingrid",
    "Lars",
    "Chloé",
    "François",
    "Giulia",
    "Marco",
    "Katarzyna",
    "Piotr",
    "Sean",
    "Siobhan",
    "Oluwaseun",
    "Chinwe",
    "Kwame",
    "Ama",
    "Anil",
    "Deepa",
    "Sanjay",
    "Lakshmi",
    "Thanh",
    "Linh",
    "Ji-woo",
    "Min-jun",
    "Seo-yeon",
    "Hannah",
    "Rachel",
    "Benjamin",
    "Samuel",
    "Rebecca",
    "Naomi",
    "Elena",
    "Viktor",
    "Zoë",
    "Anne-Marie",
    "José",
    "Renée",
    "Björn",
)
LAST_NAMES = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Martin",
    "Jackson",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Hill",
    "Green",
    "Adams",
    "Baker",
    "Nelson",
    "Carter",
    "Mitchell",
    "Roberts",
    "Turner",
    "Phillips",
    "Campbell",
    "Parker",
    "Evans",
    "Edwards",
    "Collins",
    "Stewart",
    "Morris",
    "Murphy",
    "Cook",
    "Rogers",
    "Patel",
    "Shah",
    "Gupta",
    "Singh",
    "Kumar",
    "Reddy",
    "Chen",
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Nguyen",
    "Tran",
    "Kim",
    "Lee",
    "Park",
    "Choi",
    "Tanaka",
    "Suzuki",
    "Sato",
    "Garcia",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Perez",
    "Sanchez",
    "Ramirez",
    "Cohen",
    "Levy",
    "Goldberg",
    "Friedman",
    "Schwartz",
    "Rossi",
    "Russo",
    "Ferrari",
    "Müller",
    "Schmidt",
    "Fischer",
    "Weber",
    "Novak",
    "Kowalski",
    "Ivanova",
    "Petrov",
    "Andersson",
    "Johansson",
    "Okafor",
    "Adeyemi",
    "Mensah",
    "Haddad",
    "Khan",
    "Rahman",
    "Hussain",
    "O'Brien",
    "O'Connor",
    "McCarthy",
    "D'Angelo",
    "Núñez",
    "García-López",
    "Smith-Jones",
    "NA",
)
#: Names given to prominent HCPs on purpose, so every demo exercises them.
EDGE_CASE_NAMES = (
    ("José", "Núñez"),
    ("Siobhan", "O'Brien"),
    ("Min-jun", "NA"),
    ("Anne-Marie", "Smith-Jones"),
    ("Zoë", "D'Angelo"),
)

INSTITUTION_TYPES = ("academic medical center", "community hospital", "clinic")
INSTITUTION_TYPE_P = np.array([0.15, 0.45, 0.40])
COMMUNITIES_PER_TYPE = np.array([6.0, 1.5, 0.5])  # extra research groups an institution hosts
FITNESS_PER_TYPE = np.array([1.0, 0.3, 0.12])  # academics publish more
SAINTS = (
    "St. Mary's",
    "St. Joseph's",
    "St. Luke's",
    "St. Vincent's",
    "St. Francis",
    "St. Elizabeth's",
)
HOSPITAL_WORDS = (
    "Lakeside",
    "Riverside",
    "Valley",
    "Baptist",
    "Methodist",
    "Presbyterian",
    "Good Samaritan",
    "Mercy",
    "Summit",
    "Harbor",
    "Pinecrest",
    "Northside",
)
COMMON_SURNAMES = 46  # institutions are named after the first (plain) surnames only
CAMPUSES = ("North", "South", "East", "West", "Downtown", "Midtown", "Uptown", "Lakeshore")
INSTITUTION_PATTERNS = (
    (
        "{city} University Medical Center",
        "{last} University Hospital",
        "{last} Comprehensive Cancer Center",
        "University of {state} Medical Center",
        "{saint} University Hospital",
        "{city} Academic Medical Center",
    ),
    (
        "{city} General Hospital",
        "{city} Regional Medical Center",
        "{saint} Hospital",
        "{word} Medical Center of {city}",
        "{last} Memorial Hospital",
        "{word} Community Hospital",
    ),
    (
        "{city} Specialty Associates",
        "{last} Clinic",
        "{word} Medical Group",
        "{last} & {last2} Specialists",
        "{city} Physicians Group",
    ),
)

CREDENTIALS = ("MD", "MD, PhD", "DO", "MD, MPH", "PharmD", "NP", "PhD")
CREDENTIALS_P = np.array([0.58, 0.15, 0.10, 0.06, 0.03, 0.05, 0.03])

TITLE_TEMPLATES = (
    "{Intervention} in {disease}: {design}",
    "Real-world outcomes of {intervention} in patients with {disease}",
    "{Outcome} after {intervention} for {disease}: results from {study}",
    "Predictors of {outcome} in {disease}: {design}",
    "Long-term safety of {intervention} in {disease}",
    "Biomarkers of response to {intervention} in {disease}",
    "Disparities in access to {intervention} among patients with {disease}",
    "{Intervention} versus standard care in {disease}: {design}",
)
DESIGNS = (
    "a randomized phase 3 trial",
    "a multicenter retrospective cohort study",
    "a systematic review and meta-analysis",
    "a prospective registry analysis",
    "a post hoc analysis",
    "a single-center experience",
)
OUTCOMES = (
    "overall survival",
    "quality of life",
    "hospitalization",
    "treatment persistence",
    "adverse events",
    "healthcare resource use",
)
ACRONYMS = (
    "HORIZON",
    "ATLAS",
    "VERITAS",
    "PINNACLE",
    "SUMMIT",
    "COMPASS",
    "BEACON",
    "KEYSTONE",
    "MERIDIAN",
    "AURORA",
    "ZENITH",
    "CATALYST",
)
PHASES = ("Phase 1", "Phase 1/Phase 2", "Phase 2", "Phase 3", "Phase 4", "N/A")
PHASES_P = np.array([0.12, 0.10, 0.30, 0.30, 0.10, 0.08])
TRIAL_ROLES = ("principal investigator", "sub-investigator", "overall official")

CHANNELS = ("in-person", "virtual", "email", "congress")
CHANNELS_P = np.array([0.42, 0.30, 0.16, 0.12])
PAYERS = ("commercial plans", "Medicare Advantage plans", "Medicaid", "regional payers")
SITES = ("community clinic", "academic center", "infusion center", "rural hospital")
SUFFIXES = (
    "",
    "",
    "",
    " Follow-up planned.",
    " Will share with the medical team.",
    " Sent the relevant publication afterwards.",
)


@dataclass(frozen=True)
class PlantedTheme:
    """A recurring insight theme planted in touchpoint notes.

    Every phrasing contains ``keywords[0]`` (case-insensitive); the other keywords are frequent
    companions a theme extractor should surface.
    """

    key: str
    label: str
    keywords: tuple[str, ...]
    category: str
    trend: str  # "growing", "fading" or "steady" over the two-year window
    areas: tuple[str, ...]  # therapeutic areas where it comes up
    sentiment_p: tuple[float, float, float]  # positive, neutral, negative
    topic: str
    phrasings: tuple[str, ...]


PLANTED_THEMES: tuple[PlantedTheme, ...] = (
    PlantedTheme(
        "prior_auth",
        "prior authorization delays for biologics",
        ("prior auth", "biologic", "payer"),
        "access and reimbursement",
        "growing",
        ("immunology", "neurology", "endocrinology", "oncology"),
        (0.05, 0.25, 0.70),
        "market access",
        (
            "Reports prior authorization delays of {weeks} weeks for {drug}; {disease} patients wait to start therapy.",
            "Prior auth for biologics keeps getting stuck with {payer}; office staff spend hours on appeals.",
            "Frustrated by prior authorization paperwork for {drug}; asked about hub and reimbursement support.",
            "Says {payer} now require step therapy and a new prior authorization every {n} months for biologics.",
            "Several {disease} patients abandoned biologic therapy after prior auth denials; wants payer-facing data.",
        ),
    ),
    PlantedTheme(
        "rwe_registry",
        "interest in real-world evidence registry",
        ("registry", "real-world"),
        "research interest",
        "growing",
        TA_NAMES,
        (0.60, 0.35, 0.05),
        "real-world evidence",
        (
            "Interested in joining a real-world evidence registry for {disease}; has {n} eligible patients.",
            "Asked whether we sponsor a registry collecting real-world outcomes with {drug}.",
            "Keen to contribute to a {disease} registry; believes real-world data would answer payer questions.",
            "Proposed a multicenter registry comparing real-world effectiveness of {drug} with trial results.",
            "Would like access to registry data for a real-world evidence publication.",
        ),
    ),
    PlantedTheme(
        "cardiotoxicity",
        "concern about cardiotoxicity monitoring",
        ("cardiotox", "monitoring", "echo"),
        "safety",
        "fading",
        ("oncology", "cardiology"),
        (0.05, 0.45, 0.50),
        "safety monitoring",
        (
            "Concerned about cardiotoxicity monitoring with {drug}; unclear how often to order echocardiograms.",
            "Asked for guidance on baseline and follow-up cardiotoxicity monitoring in {disease} patients.",
            "Sees cardiotoxic events in older patients; wants a cardio-oncology monitoring protocol.",
            "Cardiotoxicity monitoring is inconsistent at {site}s; troponin and echo schedules vary.",
            "Questions on managing cardiotoxicity signals; would value a joint cardiology-oncology session.",
        ),
    ),
    PlantedTheme(
        "biosimilar_switching",
        "biosimilar switching questions",
        ("biosimilar", "switch"),
        "treatment practice",
        "growing",
        ("immunology", "oncology", "endocrinology"),
        (0.15, 0.60, 0.25),
        "biosimilars",
        (
            "Questions about switching stable {disease} patients to a biosimilar; worried about nocebo effects.",
            "Pharmacy is pushing biosimilar switching at {site}s; HCP wants interchangeability data.",
            "Asked whether multiple biosimilar switches affect immunogenicity.",
            "Plans to switch new starts to the biosimilar; asked for the switching study data.",
            "Patients anxious about a forced biosimilar switch by {payer}; requested patient materials.",
        ),
    ),
    PlantedTheme(
        "genetic_testing",
        "patient access to genetic testing",
        ("genetic test", "access", "turnaround"),
        "unmet need",
        "steady",
        ("oncology", "neurology", "cardiology"),
        (0.05, 0.35, 0.60),
        "diagnostics",
        (
            "Patients lack access to genetic testing; a {weeks}-week turnaround delays decisions in {disease}.",
            "Genetic testing is not covered by {payer} for many {disease} patients; a major unmet need.",
            "Community sites rarely order genetic tests; asked for help with testing pathways and counselling.",
            "Wants faster genetic testing turnaround; currently {weeks} weeks from order to result.",
            "Rural patients struggle to access genetic testing; interested in a mail-in testing program.",
        ),
    ),
    PlantedTheme(
        "iit_interest",
        "interest in investigator-initiated trials",
        ("investigator-initiated", "proposal"),
        "research interest",
        "steady",
        TA_NAMES,
        (0.65, 0.30, 0.05),
        "research collaboration",
        (
            "Interested in submitting an investigator-initiated trial proposal on {drug} in {disease}.",
            "Asked about the process and timelines for investigator-initiated research funding.",
            "Has an investigator-initiated study concept on {disease} biomarkers; wants feedback on the proposal.",
            "Follow-up on investigator-initiated trial idea; needs drug supply for {n} patients.",
            "Would like to run an investigator-initiated study at a {site}; asked who reviews proposals.",
        ),
    ),
    PlantedTheme(
        "competitor_oral",
        "competitor oral therapy gaining ground",
        ("competitor", "oral"),
        "competitor",
        "growing",
        ("neurology", "immunology", "endocrinology"),
        (0.05, 0.40, 0.55),
        "competitive landscape",
        (
            "Notes more {disease} patients asking for the competitor's oral option.",
            "Competitor reps are promoting oral convenience; HCP has switched {n} patients this quarter.",
            "Believes the competitor's oral therapy will take first-line share unless we show long-term data.",
            "Attended the competitor's advisory board; impressed by their oral once-daily data.",
            "Patients prefer the competitor's oral pill over injections; asked about our pipeline.",
        ),
    ),
    PlantedTheme(
        "dosing_label",
        "confusion about the updated dosing label",
        ("dosing", "label"),
        "product perception",
        "fading",
        TA_NAMES,
        (0.10, 0.60, 0.30),
        "dosing and administration",
        (
            "Confused by the updated dosing label; asked whether renal adjustment is still required.",
            "Clarified the new dosing schedule in the label; HCP had been using the old titration.",
            "Questions on dosing after the label update for patients with {disease}.",
            "Staff at {site}s unsure about the revised dosing interval; requested a dosing guide.",
            "Asked why the label changed the dosing recommendation; wants the supporting data.",
        ),
    ),
)
NOISE_NOTES = (
    "Routine follow-up; no new insights shared.",
    "Discussed the upcoming congress schedule and poster presentations.",
    "Sent the requested reprint on {disease}.",
    "Short meeting; HCP asked to reconnect next quarter.",
    "Introduced a new MSL colleague covering the territory.",
    "Reviewed recent {disease} publications together; no specific questions.",
    "HCP interested in the mechanism of action slides for {drug}.",
    "Clinic very busy; scheduling only.",
    "Shared the medical information request form.",
)
NOISE_WEIGHT = 2.2  # relative to a steady theme: roughly a third of notes are noise
NOISE_SENTIMENT_P = (0.15, 0.75, 0.10)
NOISE_TOPICS = (
    "publication discussion",
    "congress follow-up",
    "relationship building",
    "pipeline overview",
)
MISLABEL_SHARE = 0.08  # MSLs sometimes file a theme under another category


# --- small helpers ------------------------------------------------------------------------


def npi_check_digit(payload: str) -> int:
    """The Luhn check digit of a 9-digit NPI payload (with the ``80840`` card prefix).

    >>> npi_check_digit("123456789")
    3
    """
    total = 24  # the doubled-and-summed digits of the 80840 prefix
    for i, ch in enumerate(reversed(payload)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


def _npi_check_digits(payload: np.ndarray) -> np.ndarray:
    """Vectorised :func:`npi_check_digit` for integer payloads."""
    total = np.full(payload.shape, 24, dtype=np.int64)
    rest = payload.astype(np.int64)
    for i in range(9):
        d = (rest % 10) * (2 if i % 2 == 0 else 1)
        total += np.where(d > 9, d - 9, d)
        rest //= 10
    return (10 - total % 10) % 10


def orcid_check_char(base: str) -> str:
    """The ISO 7064 11,2 check character of the first 15 ORCID digits.

    >>> orcid_check_char("000000021694233")
    'X'
    """
    total = 0
    for ch in base:
        total = (total + int(ch)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def _orcid(number: int) -> str:
    base = f"{number:015d}"
    full = base + orcid_check_char(base)
    return "-".join(full[i : i + 4] for i in range(0, 16, 4))


@lru_cache(maxsize=4096)
def _ascii_slug(text: str) -> str:
    """Lower-case ASCII letters only, for email local parts (José Núñez -> jose, nunez)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _cum0(weights: np.ndarray) -> np.ndarray:
    """``[0, w0, w0+w1, ...]``: the sum of weights in ``[s, e)`` is ``cum0[e] - cum0[s]``."""
    return np.concatenate(([0.0], np.cumsum(weights, dtype=np.float64)))


def _draw_within(
    rng: np.random.Generator, cum0: np.ndarray, start: np.ndarray, end: np.ndarray
) -> np.ndarray:
    """One index per span ``[start, end)``, drawn with probability proportional to weight.

    Vectorised inverse-CDF sampling: spans are contiguous runs (a community, a therapeutic
    area), so one global cumulative sum serves every span at once.  Zero-weight indices are
    never drawn, provided each span holds some weight.
    """
    lo, hi = cum0[start], cum0[end]
    idx = np.searchsorted(cum0, lo + rng.random(len(start)) * (hi - lo), side="right") - 1
    return np.clip(idx, start, end - 1)


def _choice(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    return rng.choice(len(p), size=n, p=p / p.sum())


def _group_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Start offsets of the runs of equal values in a sorted array."""
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])


def _rank_in_group(sorted_keys: np.ndarray) -> np.ndarray:
    """0-based position of each element within its run of equal keys."""
    starts = _group_starts(sorted_keys)
    counts = np.diff(np.r_[starts, len(sorted_keys)])
    return np.arange(len(sorted_keys)) - np.repeat(starts, counts)


def _zipf_p(n: int, s: float = 0.7) -> np.ndarray:
    """Name popularity: earlier names in a list are more common."""
    p = 1.0 / (np.arange(n) + 5.0) ** s
    return p / p.sum()


# --- CSV writing --------------------------------------------------------------------------

#: A chunk of a table: column name -> values (a list or a numpy array).
Columns = dict[str, Sequence | np.ndarray]


class _CsvTable:
    """One canonical CSV file, written chunk by chunk in the column order of :mod:`schema`."""

    def __init__(self, out: Path, table: schema.Table, progress: Progress):
        self.table = table
        self.rows = 0
        self._progress = progress
        # open across many write() calls; close() ends it
        self._file = open(out / table.filename, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._writer = csv.writer(self._file, lineterminator="\n")
        self._writer.writerow(table.column_names)

    def write(self, columns: Columns) -> None:
        """Write one chunk given as column name -> values (every column of the table)."""
        if set(columns) != set(self.table.column_names):
            raise ValueError(
                f"{self.table.name}: columns {sorted(columns)} do not match the schema"
            )
        lists = [_as_list(columns[name]) for name in self.table.column_names]
        self._writer.writerows(zip(*lists))
        n = len(lists[0])
        self.rows += n
        self._progress(n)

    def close(self) -> None:
        self._file.close()


def _as_list(values: Sequence | np.ndarray) -> list:
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


# --- the world: institutions, communities, HCPs --------------------------------------------


@dataclass
class _World:
    """Per-entity arrays for institutions, communities and HCPs (HCPs sorted by community)."""

    inst_type: np.ndarray
    inst_state: np.ndarray  # index into STATE_CODES
    inst_city: list[str]
    inst_name: list[str]
    comm_ta: np.ndarray  # communities are sorted by therapeutic area, then institution
    comm_inst: np.ndarray
    comm_start: np.ndarray  # HCP index range [comm_start, comm_end)
    comm_end: np.ndarray
    hcp_comm: np.ndarray
    fitness: np.ndarray
    career_start: np.ndarray  # first year the HCP can publish
    leader: np.ndarray  # bool: the senior figure of the community

    @property
    def n_hcps(self) -> int:
        return len(self.hcp_comm)

    @property
    def hcp_ta(self) -> np.ndarray:
        return self.comm_ta[self.hcp_comm]

    @property
    def hcp_inst(self) -> np.ndarray:
        return self.comm_inst[self.hcp_comm]

    @property
    def hcp_territory(self) -> np.ndarray:
        return STATE_TERRITORY[self.inst_state[self.hcp_inst]]

    def ta_span(self, ta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """HCP index range of each therapeutic area (HCPs are contiguous per area)."""
        bounds = np.searchsorted(self.hcp_ta, np.arange(len(TA_NAMES) + 1))
        return bounds[ta], bounds[ta + 1]


STATE_CODES = tuple(STATES)
STATE_TERRITORY = np.array(
    [next(i for i, states in enumerate(TERRITORIES.values()) if s in states) for s in STATE_CODES]
)
TERRITORY_NAMES = tuple(TERRITORIES)


def _build_world(rng: np.random.Generator, n_hcps: int, as_of: date) -> _World:
    inst_type, inst_state, inst_city, inst_name = _build_institutions(
        rng, max(30, n_hcps // HCPS_PER_INSTITUTION)
    )
    comm_ta, comm_inst, sizes = _build_communities(
        rng, inst_type, max(40, n_hcps // HCPS_PER_COMMUNITY), n_hcps
    )
    comm_end = np.cumsum(sizes)
    comm_start = comm_end - sizes
    hcp_comm = np.repeat(np.arange(len(sizes)), sizes)
    leader = np.zeros(n_hcps, dtype=bool)
    leader[comm_start] = True
    # a truncated power law: stars, but no single HCP on a tenth of all papers
    fitness = (
        np.minimum(rng.pareto(PARETO_SHAPE, n_hcps) + 1.0, FITNESS_CAP)
        * FITNESS_PER_TYPE[inst_type[comm_inst[hcp_comm]]]
    )
    fitness[leader] *= LEADER_BOOST
    career_start = as_of.year - rng.integers(1, 36, n_hcps)
    # leaders publish across the whole window, so every community always has an active author
    career_start[leader] = as_of.year - rng.integers(PUBLICATION_YEARS + 1, 36, leader.sum())
    return _World(
        inst_type,
        inst_state,
        inst_city,
        inst_name,
        comm_ta,
        comm_inst,
        comm_start,
        comm_end,
        hcp_comm,
        fitness,
        career_start,
        leader,
    )


def _build_institutions(rng: np.random.Generator, n: int):
    inst_type = _choice(rng, INSTITUTION_TYPE_P, n)
    population = np.array([STATES[s][1] for s in STATE_CODES])
    inst_state = _choice(rng, population, n)
    city_pick, pattern_pick, word_pick = (
        rng.random(n),
        rng.random(n),
        rng.integers(0, 1 << 30, (n, 3)),
    )
    cities, names, seen = [], [], set[str]()
    for i in range(n):
        state_name, _, state_cities = STATES[STATE_CODES[inst_state[i]]]
        city = state_cities[int(city_pick[i] * len(state_cities))]
        patterns = INSTITUTION_PATTERNS[inst_type[i]]
        w = word_pick[i]
        name = patterns[int(pattern_pick[i] * len(patterns))].format(
            city=city,
            state=state_name,
            last=LAST_NAMES[w[0] % COMMON_SURNAMES],
            last2=LAST_NAMES[w[1] % COMMON_SURNAMES],
            saint=SAINTS[w[2] % len(SAINTS)],
            word=HOSPITAL_WORDS[w[1] % len(HOSPITAL_WORDS)],
        )
        cities.append(city)
        names.append(_unique_name(name, seen))
    return inst_type, inst_state, cities, names


def _unique_name(name: str, seen: set[str]) -> str:
    """Real systems reuse names across campuses; keep ours distinct so users can tell them apart."""
    candidate, k = name, 0
    while candidate in seen:
        suffix = CAMPUSES[k % len(CAMPUSES)] + (
            f" {k // len(CAMPUSES) + 1}" if k >= len(CAMPUSES) else ""
        )
        candidate, k = f"{name} - {suffix} Campus", k + 1
    seen.add(candidate)
    return candidate


def _build_communities(rng: np.random.Generator, inst_type: np.ndarray, n_comm: int, n_hcps: int):
    n_inst = len(inst_type)
    extra = _choice(rng, COMMUNITIES_PER_TYPE[inst_type], max(0, n_comm - n_inst))
    comm_inst = np.concatenate([np.arange(n_inst), extra])[:n_comm]
    comm_ta = _choice(rng, np.array([ta.share for ta in THERAPEUTIC_AREAS]), n_comm)
    order = np.lexsort((comm_inst, comm_ta))
    comm_inst, comm_ta = comm_inst[order], comm_ta[order]
    # heavy-tailed group sizes, larger at academic centres; at least 3 members each
    weight = rng.lognormal(0.0, 0.9, n_comm) * np.array([2.5, 1.0, 0.6])[inst_type[comm_inst]]
    min_size = min(3, n_hcps // n_comm)
    sizes = min_size + rng.multinomial(n_hcps - min_size * n_comm, weight / weight.sum())
    return comm_ta, comm_inst, sizes


def _hcp_ids(n: int) -> np.ndarray:
    return np.array([f"HCP{i:07d}" for i in range(1, n + 1)])


# --- publications and authorships ----------------------------------------------------------


@dataclass
class _PaperChunk:
    """One sampling round of papers: per-paper arrays plus their authorships."""

    year: int
    comm: np.ndarray
    n_authors: np.ndarray
    paper: np.ndarray  # authorship -> paper index in the chunk
    hcp: np.ndarray
    position: np.ndarray


def _paper_chunks(
    rng: np.random.Generator, world: _World, n_pubs: int, as_of: date, papers: np.ndarray
) -> Iterator[_PaperChunk]:
    """Sample papers oldest year first; ``papers`` (per-HCP counts) is updated as they go.

    Cumulative advantage: an HCP's draw weight is fitness * sqrt(1 + papers so far), so early
    productivity compounds (preferential attachment at the granularity of a round).
    """
    years = np.arange(as_of.year - PUBLICATION_YEARS + 1, as_of.year + 1)
    growth = 1.07 ** np.arange(len(years))
    per_year = rng.multinomial(n_pubs, growth / growth.sum())
    for year, count in zip(years.tolist(), per_year.tolist()):
        for n in _chunk_sizes(count, CHUNK_PAPERS):
            weights = world.fitness * (world.career_start <= year) * (1.0 + papers) ** ADVANTAGE
            chunk = _sample_papers(rng, world, weights, year, n)
            papers += np.bincount(chunk.hcp, minlength=world.n_hcps)
            yield chunk


def _chunk_sizes(total: int, size: int) -> list[int]:
    return [min(size, total - start) for start in range(0, total, size)]


def _sample_papers(
    rng: np.random.Generator, world: _World, weights: np.ndarray, year: int, n: int
) -> _PaperChunk:
    cum = _cum0(weights)
    comm_mass = cum[world.comm_end] - cum[world.comm_start]
    comm_cum = _cum0(comm_mass)
    n_comm = len(comm_mass)
    c1 = _draw_within(rng, comm_cum, np.zeros(n, dtype=np.int64), np.full(n, n_comm))
    c2 = _bridge_communities(rng, world, comm_cum, c1)
    k = 1 + _choice(rng, AUTHOR_COUNT_P, n)
    # draw 2x the wanted authors with replacement, then drop repeats and keep the first k
    slots = 2 * k
    paper = np.repeat(np.arange(n), slots)
    slot = _rank_in_group(paper)
    source = np.where(slot % 3 == 2, c2[paper], c1[paper])
    hcp = _draw_within(rng, cum, world.comm_start[source], world.comm_end[source])
    paper, slot, hcp = _first_distinct(paper, slot, hcp)
    keep = _rank_in_group(paper) < k[paper]
    paper, hcp = paper[keep], hcp[keep]
    position = _author_positions(rng, paper, world.fitness[hcp])
    return _PaperChunk(year, c1, np.bincount(paper, minlength=n), paper, hcp, position)


def _bridge_communities(
    rng: np.random.Generator, world: _World, comm_cum: np.ndarray, c1: np.ndarray
) -> np.ndarray:
    """The second community of each paper: itself, except for the bridge papers."""
    n, n_comm = len(c1), len(world.comm_ta)
    ta_bounds = np.searchsorted(world.comm_ta, np.arange(len(TA_NAMES) + 1))
    same_ta = rng.random(n) < 0.6  # most bridges stay within the therapeutic area
    ta = world.comm_ta[c1]
    start = np.where(same_ta, ta_bounds[ta], 0)
    end = np.where(same_ta, ta_bounds[ta + 1], n_comm)
    other = _draw_within(rng, comm_cum, start, end)
    return np.where(rng.random(n) < BRIDGE_SHARE, other, c1)


def _first_distinct(paper: np.ndarray, slot: np.ndarray, hcp: np.ndarray):
    """Drop repeated (paper, hcp) draws, keeping the earliest slot; result sorted by paper, slot."""
    order = np.lexsort((slot, hcp, paper))
    paper, slot, hcp = paper[order], slot[order], hcp[order]
    first = np.r_[True, (paper[1:] != paper[:-1]) | (hcp[1:] != hcp[:-1])]
    paper, slot, hcp = paper[first], slot[first], hcp[first]
    order = np.lexsort((slot, paper))
    return paper[order], slot[order], hcp[order]


def _author_positions(
    rng: np.random.Generator, paper: np.ndarray, fitness: np.ndarray
) -> np.ndarray:
    """1-based author positions; the paper's most senior author is usually last."""
    starts = _group_starts(paper)
    counts = np.diff(np.r_[starts, len(paper)])
    senior = fitness == np.repeat(np.maximum.reduceat(fitness, starts), counts)
    key = rng.random(len(paper)) + (senior & (rng.random(len(paper)) < 0.75))
    order = np.lexsort((key, paper))
    position = np.empty(len(paper), dtype=np.int64)
    position[order] = _rank_in_group(paper[order]) + 1
    return position


def _write_publications(
    rng: np.random.Generator,
    world: _World,
    spec: SizeSpec,
    as_of: date,
    ids: np.ndarray,
    pubs: _CsvTable,
    authorships: _CsvTable,
) -> np.ndarray:
    """Write publications.csv and authorships.csv; return papers authored per HCP."""
    papers = np.zeros(world.n_hcps, dtype=np.int64)
    next_pmid: dict[int, int] = {}
    for chunk in _paper_chunks(rng, world, spec.publications, as_of, papers):
        # PMIDs rise with the year, as real ones do
        base = next_pmid.get(
            chunk.year, 18_000_000 + (chunk.year - as_of.year + PUBLICATION_YEARS) * 1_600_000
        )
        pmids = base + np.cumsum(rng.integers(1, 8, len(chunk.comm)))
        next_pmid[chunk.year] = int(pmids[-1])
        pubs.write(_publication_columns(rng, world, chunk, pmids, as_of))
        authorships.write(
            {"pmid": pmids[chunk.paper], "hcp_id": ids[chunk.hcp], "position": chunk.position}
        )
    return papers


def _publication_columns(
    rng: np.random.Generator, world: _World, chunk: _PaperChunk, pmids: np.ndarray, as_of: date
) -> Columns:
    n = len(chunk.comm)
    ta = world.comm_ta[chunk.comm]
    age = as_of.year - chunk.year
    growth = (age + 0.3) ** 0.9 * (1.0 + 0.08 * chunk.n_authors)
    citations = np.floor(rng.lognormal(0.8, 1.2, n) * growth).astype(np.int64)
    journal = rng.integers(0, 6, n)
    return {
        "pmid": pmids,
        "title": _titles(rng, ta),
        "year": np.full(n, chunk.year),
        "journal": [
            THERAPEUTIC_AREAS[t].journals[j] for t, j in zip(ta.tolist(), journal.tolist())
        ],
        "mesh_terms": _mesh_terms(rng, ta),
        "citation_count": citations,
    }


def _titles(rng: np.random.Generator, ta: np.ndarray) -> list[str]:
    n = len(ta)
    picks = rng.integers(0, 1 << 30, (n, 6)).tolist()
    titles = []
    for t, (tpl, dis, itv, des, out, acr) in zip(ta.tolist(), picks):
        area = THERAPEUTIC_AREAS[t]
        intervention = area.interventions[itv % len(area.interventions)]
        outcome = OUTCOMES[out % len(OUTCOMES)]
        titles.append(
            TITLE_TEMPLATES[tpl % len(TITLE_TEMPLATES)].format(
                intervention=intervention,
                Intervention=_cap(intervention),
                disease=area.diseases[dis % len(area.diseases)],
                design=DESIGNS[des % len(DESIGNS)],
                outcome=outcome,
                Outcome=_cap(outcome),
                study=f"the {ACRONYMS[acr % len(ACRONYMS)]} study",
            )
        )
    return titles


def _mesh_terms(rng: np.random.Generator, ta: np.ndarray) -> list[str]:
    """2-4 area headings and 1-2 generic ones per paper, distinct, ``;``-separated."""
    n = len(ta)
    area_pick = np.argsort(rng.random((n, 12)), axis=1)[:, :4].tolist()
    generic_pick = np.argsort(rng.random((n, len(GENERIC_MESH))), axis=1)[:, :2].tolist()
    n_area, n_generic = rng.integers(2, 5, n).tolist(), rng.integers(1, 3, n).tolist()
    out = []
    for t, ap, gp, na, ng in zip(ta.tolist(), area_pick, generic_pick, n_area, n_generic):
        terms = [THERAPEUTIC_AREAS[t].mesh_terms[i] for i in ap[:na]] + [
            GENERIC_MESH[i] for i in gp[:ng]
        ]
        out.append(";".join(terms))
    return out


# --- HCPs, institutions, affiliations -------------------------------------------------------


def _write_institutions(world: _World, table: _CsvTable) -> None:
    n = len(world.inst_type)
    table.write(
        {
            "institution_id": [f"INST{i:05d}" for i in range(1, n + 1)],
            "name": world.inst_name,
            "type": [INSTITUTION_TYPES[t] for t in world.inst_type.tolist()],
            "city": world.inst_city,
            "state": [STATE_CODES[s] for s in world.inst_state.tolist()],
            "country": ["US"] * n,
        }
    )


def _write_hcps(rng: np.random.Generator, world: _World, ids: np.ndarray, table: _CsvTable) -> None:
    n = world.n_hcps
    first = _choice(rng, _zipf_p(len(FIRST_NAMES)), n)
    last = _choice(rng, _zipf_p(len(LAST_NAMES)), n)
    credentials = _choice(rng, CREDENTIALS_P, n)
    specialty_pick = rng.random(n)
    has_npi = rng.random(n) < 0.92
    has_email = rng.random(n) < 0.5
    has_orcid = rng.random(n) < np.array([0.6, 0.2, 0.1])[world.inst_type[world.hcp_inst]]
    npi9 = (
        100_000_000
        + (104_729 * np.arange(n, dtype=np.int64) + int(rng.integers(200_000_000))) % 200_000_000
    )
    npi = npi9 * 10 + _npi_check_digits(npi9)
    orcid = (
        15_000_000
        + (7_919 * np.arange(n, dtype=np.int64) + int(rng.integers(20_000_000))) % 20_000_000
    )
    names = _edge_case_overrides(world)
    for lo in range(0, n, CHUNK_ROWS):
        sl = slice(lo, min(n, lo + CHUNK_ROWS))
        rows = [
            _hcp_row(
                world,
                i,
                names.get(i, (FIRST_NAMES[f], LAST_NAMES[la])),
                CREDENTIALS[c],
                sp,
                str(nv) if hn else "",
                _orcid(int(ov)) if ho else "",
                he,
            )
            for i, f, la, c, sp, nv, hn, ov, ho, he in zip(
                range(sl.start, sl.stop),
                first[sl].tolist(),
                last[sl].tolist(),
                credentials[sl].tolist(),
                specialty_pick[sl].tolist(),
                npi[sl].tolist(),
                has_npi[sl].tolist(),
                orcid[sl].tolist(),
                has_orcid[sl].tolist(),
                has_email[sl].tolist(),
            )
        ]
        columns = dict(zip(HCP_ROW_FIELDS, zip(*rows)))
        table.write({"hcp_id": ids[sl], **columns})


def _edge_case_overrides(world: _World) -> dict[int, tuple[str, str]]:
    """Give tricky names to community leaders spread over the therapeutic areas."""
    n_comm = len(world.comm_start)
    spots = np.linspace(0, n_comm - 1, len(EDGE_CASE_NAMES)).astype(int)
    return {int(world.comm_start[c]): name for c, name in zip(spots, EDGE_CASE_NAMES)}


HCP_ROW_FIELDS = (
    "first_name",
    "last_name",
    "credentials",
    "specialty",
    "city",
    "state",
    "postal_code",
    "country",
    "territory",
    "npi",
    "orcid",
    "email",
)


def _hcp_row(
    world: _World,
    i: int,
    name: tuple[str, str],
    credentials: str,
    specialty_pick: float,
    npi: str,
    orcid: str,
    has_email: bool,
) -> tuple:
    """The values of :data:`HCP_ROW_FIELDS` for HCP ``i``."""
    first, last = name
    area = THERAPEUTIC_AREAS[world.comm_ta[world.hcp_comm[i]]]
    specialty = area.specialties[int(specialty_pick**2 * len(area.specialties))]
    inst = world.comm_inst[world.hcp_comm[i]]
    state = STATE_CODES[world.inst_state[inst]]
    email = (
        f"{_ascii_slug(first)}.{_ascii_slug(last)}@{_domain(world.inst_name[inst])}"
        if has_email
        else ""
    )
    return (
        first,
        last,
        credentials,
        specialty,
        world.inst_city[inst],
        state,
        "",  # no ZIP: the synthetic territories are explicit, by state
        "US",
        TERRITORY_NAMES[STATE_TERRITORY[world.inst_state[inst]]],
        npi,
        orcid,
        email,
    )


@cache
def _domain(institution: str) -> str:
    initials = "".join(_ascii_slug(w)[:1] for w in institution.split() if _ascii_slug(w))
    return f"{initials}.example.org"


def _write_affiliations(
    rng: np.random.Generator, world: _World, ids: np.ndarray, as_of: date, table: _CsvTable
) -> None:
    """A current affiliation per HCP; some moved (a past one) and some hold a second post."""
    n, n_inst = world.n_hcps, len(world.inst_type)
    home = world.hcp_inst
    moved = rng.random(n) < 0.25
    switch = np.minimum(as_of.year, world.career_start + rng.integers(2, 15, n))
    moved &= switch < as_of.year
    current_start = np.where(moved, switch, world.career_start)
    seniority = as_of.year - current_start
    past = (home + rng.integers(1, max(2, n_inst // 2), n)) % n_inst
    second = (home + rng.integers(max(2, n_inst // 2), max(3, n_inst), n)) % n_inst
    has_second = (rng.random(n) < 0.06) & (n_inst >= 3)
    hcp = np.arange(n)
    past_role = np.where(switch - world.career_start < 4, ROLE_FELLOW, ROLE_ATTENDING)
    parts = [  # role codes index AFFILIATION_ROLES; -1 end_year = current
        (hcp, home, _current_roles(world, seniority), current_start, np.full(n, -1)),
        (hcp[moved], past[moved], past_role[moved], world.career_start[moved], switch[moved]),
        (
            hcp[has_second],
            second[has_second],
            np.full(has_second.sum(), ROLE_ADJUNCT),
            np.maximum(
                current_start[has_second], as_of.year - rng.integers(0, 8, has_second.sum())
            ),
            np.full(has_second.sum(), -1),
        ),
    ]
    h, inst, role, start, end = (np.concatenate(col) for col in zip(*parts))
    order = np.argsort(h, kind="stable")
    roles = np.array(AFFILIATION_ROLES, dtype=object)
    for lo in range(0, len(order), CHUNK_ROWS):
        o = order[lo : lo + CHUNK_ROWS]
        table.write(
            {
                "hcp_id": ids[h[o]],
                "institution_id": [f"INST{i + 1:05d}" for i in inst[o].tolist()],
                "role": roles[role[o]],
                "start_year": start[o],
                "end_year": ["" if e < 0 else e for e in end[o].tolist()],
            }
        )


AFFILIATION_ROLES = (
    "Assistant Professor",
    "Associate Professor",
    "Professor",
    "Division Chief",
    "Attending Physician",
    "Staff Physician",
    "Fellow",
    "Adjunct Faculty",
)
ROLE_ATTENDING, ROLE_STAFF, ROLE_FELLOW, ROLE_ADJUNCT = 4, 5, 6, 7


def _current_roles(world: _World, seniority: np.ndarray) -> np.ndarray:
    """Academic rank by years in post, the group leader a division chief; else by setting."""
    inst_type = world.inst_type[world.hcp_inst]
    rank = np.digitize(seniority, [8, 16])  # 0-7 assistant, 8-15 associate, 16+ full professor
    role = np.where(inst_type == 0, rank, np.where(inst_type == 2, ROLE_STAFF, ROLE_ATTENDING))
    return np.where(world.leader & (inst_type == 0), 3, role)


# --- trials ---------------------------------------------------------------------------------


def _write_trials(
    rng: np.random.Generator,
    world: _World,
    papers: np.ndarray,
    ids: np.ndarray,
    n_trials: int,
    as_of: date,
    trials: _CsvTable,
    roles: _CsvTable,
) -> np.ndarray:
    """Write trials.csv and trial_roles.csv; return trial roles held per HCP."""
    pi_weight = papers.astype(np.float64) ** 1.3 + 1e-6 * world.fitness
    cum_pi = _cum0(pi_weight)
    pi = _draw_within(
        rng, cum_pi, np.zeros(n_trials, dtype=np.int64), np.full(n_trials, world.n_hcps)
    )
    ta = world.hcp_ta[pi]
    start_year = as_of.year - np.minimum(
        PUBLICATION_YEARS - 3, np.floor(rng.exponential(4.0, n_trials))
    ).astype(int)
    order = np.argsort(start_year, kind="stable")  # NCT numbers rise with registration date
    pi, ta, start_year = pi[order], ta[order], start_year[order]
    nct = np.sort(
        100_000 + (7_907 * np.arange(n_trials) + int(rng.integers(6_800_000))) % 6_800_000
    )
    nct_ids = np.array([f"NCT{x:08d}" for x in nct.tolist()])
    trials.write(_trial_columns(rng, ta, start_year, nct_ids, as_of))
    trial, hcp, role = _trial_role_draws(rng, world, papers, cum_pi, pi, ta)
    roles.write({"nct_id": nct_ids[trial], "hcp_id": ids[hcp], "role": np.array(TRIAL_ROLES)[role]})
    return np.bincount(hcp, minlength=world.n_hcps)


def _trial_role_draws(
    rng: np.random.Generator,
    world: _World,
    papers: np.ndarray,
    cum_pi: np.ndarray,
    pi: np.ndarray,
    ta: np.ndarray,
):
    """PI, 0-4 sub-investigators from the PI's group, sometimes an overall official."""
    n = len(pi)
    n_sub = rng.integers(0, 5, n)
    sub_trial = np.repeat(np.arange(n), n_sub)
    comm = world.hcp_comm[pi[sub_trial]]
    sub = _draw_within(rng, _cum0(papers + 1.0), world.comm_start[comm], world.comm_end[comm])
    official_trial = np.flatnonzero(rng.random(n) < 0.3)
    official = _draw_within(rng, cum_pi, *world.ta_span(ta[official_trial]))
    trial = np.concatenate([np.arange(n), sub_trial, official_trial])
    hcp = np.concatenate([pi, sub, official])
    role = np.concatenate([np.zeros(n, int), np.ones(len(sub), int), np.full(len(official), 2)])
    order = np.lexsort((role, hcp, trial))
    trial, hcp, role = trial[order], hcp[order], role[order]
    first = np.r_[True, (trial[1:] != trial[:-1]) | (hcp[1:] != hcp[:-1])]
    trial, hcp, role = trial[first], hcp[first], role[first]
    order = np.lexsort((hcp, role, trial))
    return trial[order], hcp[order], role[order]


def _trial_columns(
    rng: np.random.Generator,
    ta: np.ndarray,
    start_year: np.ndarray,
    nct_ids: np.ndarray,
    as_of: date,
) -> Columns:
    n = len(ta)
    phase = _choice(rng, PHASES_P, n)
    picks = rng.integers(0, 1 << 30, (n, 4)).tolist()
    titles, conditions = [], []
    for t, ph, (itv, c1, c2, acr) in zip(ta.tolist(), phase.tolist(), picks):
        area = THERAPEUTIC_AREAS[t]
        intervention = area.interventions[itv % len(area.interventions)]
        cond = area.conditions[c1 % len(area.conditions)]
        design = "an observational study" if PHASES[ph] == "N/A" else f"a {PHASES[ph]} study"
        titles.append(
            f"{_cap(design)} of {_cap(intervention)} in {cond} "
            f"({ACRONYMS[acr % len(ACRONYMS)]}-{c2 % 9 + 1})"
        )
        extra = area.conditions[c2 % len(area.conditions)]
        conditions.append(cond if extra == cond or c2 % 3 else f"{cond};{extra}")
    return {
        "nct_id": nct_ids,
        "title": titles,
        "phase": np.array(PHASES)[phase],
        "status": _trial_status(rng, as_of.year - start_year),
        "conditions": conditions,
        "start_year": start_year,
    }


def _trial_status(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    by_age = (  # (max age, statuses, probabilities)
        (
            1,
            (
                "Recruiting",
                "Not yet recruiting",
                "Enrolling by invitation",
                "Active, not recruiting",
            ),
            (0.6, 0.2, 0.1, 0.1),
        ),
        (
            5,
            ("Active, not recruiting", "Completed", "Recruiting", "Terminated"),
            (0.45, 0.35, 0.15, 0.05),
        ),
        (
            99,
            ("Completed", "Terminated", "Withdrawn", "Active, not recruiting"),
            (0.78, 0.12, 0.04, 0.06),
        ),
    )
    status = np.empty(len(age), dtype=object)
    lower = -1
    for max_age, names, p in by_age:
        band = (age > lower) & (age <= max_age)
        status[band] = np.array(names, dtype=object)[_choice(rng, np.array(p), int(band.sum()))]
        lower = max_age
    return status


# --- MSLs and touchpoints -------------------------------------------------------------------


def _write_msls(
    rng: np.random.Generator, spec: SizeSpec, table: _CsvTable
) -> tuple[np.ndarray, np.ndarray]:
    """Write msls.csv; return (first MSL index, MSL count) per territory x area cell."""
    n_ta = len(TA_NAMES)
    counts = rng.integers(
        spec.msls_per_cell[0], spec.msls_per_cell[1] + 1, len(TERRITORY_NAMES) * n_ta
    )
    counts[TERRITORY_NAMES.index(NO_MSL_CELL[0]) * n_ta + TA_NAMES.index(NO_MSL_CELL[1])] = 0
    cell = np.repeat(np.arange(len(counts)), counts)
    n = len(cell)
    first = _choice(rng, _zipf_p(len(FIRST_NAMES)), n).tolist()
    last = _choice(rng, _zipf_p(len(LAST_NAMES)), n).tolist()
    names = [f"{FIRST_NAMES[f]} {LAST_NAMES[la]}" for f, la in zip(first, last)]
    table.write(
        {
            "msl_id": [f"MSL{i:04d}" for i in range(1, n + 1)],
            "name": names,
            "territory": [TERRITORY_NAMES[c // n_ta] for c in cell.tolist()],
            "therapeutic_area": [TA_NAMES[c % n_ta] for c in cell.tolist()],
            "email": [
                f"{_ascii_slug(FIRST_NAMES[f])}.{_ascii_slug(LAST_NAMES[la])}{i}@medaffairs.example.com"
                for i, (f, la) in enumerate(zip(first, last), start=1)
            ],
        }
    )
    return np.cumsum(counts) - counts, counts


def _touch_weights(rng: np.random.Generator, influence: np.ndarray, covered: np.ndarray):
    """Draw weights skewed to influential HCPs, plus the planted gaps.

    Among the top 2% by influence, a quarter are never touched and a fifth only long ago.
    """
    top = np.argsort(-influence, kind="stable")[: max(10, len(influence) // 50)]
    fate = rng.random(len(top))
    never, stale = top[fate < 0.25], top[(fate >= 0.25) & (fate < 0.45)]
    weights = (1.0 + influence) ** 0.9 * covered
    weights[never] = 0.0
    is_stale = np.zeros(len(influence), dtype=bool)
    is_stale[stale] = True
    return weights, is_stale


def _write_touchpoints(
    rng: np.random.Generator,
    world: _World,
    influence: np.ndarray,
    msl_cells: tuple[np.ndarray, np.ndarray],
    ids: np.ndarray,
    n_touch: int,
    as_of: date,
    table: _CsvTable,
) -> None:
    msl_start, msl_count = msl_cells
    cell = world.hcp_territory * len(TA_NAMES) + world.hcp_ta
    weights, is_stale = _touch_weights(rng, influence, msl_count[cell] > 0)
    cum = _cum0(weights)
    written = 0
    for n in _chunk_sizes(n_touch, CHUNK_ROWS):
        hcp = _draw_within(rng, cum, np.zeros(n, dtype=np.int64), np.full(n, world.n_hcps))
        c = cell[hcp]
        # an HCP mostly sees "their" MSL; sometimes a colleague covers
        own = (hcp * 2_654_435_761) % msl_count[c]
        other = rng.integers(0, 1 << 30, n) % msl_count[c]
        msl = msl_start[c] + np.where(rng.random(n) < 0.8, own, other)
        offset = _touch_offsets(rng, is_stale[hcp])
        columns = _touch_columns(rng, world.hcp_ta[hcp], offset, as_of)
        table.write(
            {
                "touchpoint_id": [f"TP{i:08d}" for i in range(written + 1, written + n + 1)],
                "msl_id": [f"MSL{m + 1:04d}" for m in msl.tolist()],
                "hcp_id": ids[hcp],
                **columns,
            }
        )
        written += n


def _touch_offsets(rng: np.random.Generator, stale: np.ndarray) -> np.ndarray:
    """Days before as_of: a little busier recently; stale HCPs only over a year ago; weekdays."""
    n = len(stale)
    offset = ((1.0 - rng.random(n) ** 0.8) * (TOUCHPOINT_DAYS - 1)).astype(np.int64)
    return np.where(stale, rng.integers(400, TOUCHPOINT_DAYS, n), offset)


def _touch_columns(
    rng: np.random.Generator, ta: np.ndarray, offset: np.ndarray, as_of: date
) -> Columns:
    n = len(ta)
    days = np.datetime64(as_of.isoformat(), "D") - offset
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; 5, 6 = weekend
    days = days - np.where(weekday >= 5, weekday - 4, 0)  # weekend notes filed the Friday before
    theme = _pick_themes(rng, ta, 1.0 - offset / (TOUCHPOINT_DAYS - 1))
    channel = _choice(rng, CHANNELS_P, n)
    blank = (channel == CHANNELS.index("email")) & (rng.random(n) < 0.3)
    insight, topic, category, sentiment = _insights(rng, ta, theme, blank)
    return {
        "date": np.datetime_as_string(days, unit="D"),
        "channel": np.array(CHANNELS)[channel],
        "topic": topic,
        "insight": insight,
        "insight_category": category,
        "sentiment": sentiment,
    }


def _theme_trend(trend: str, t: np.ndarray) -> np.ndarray:
    """Relative frequency of a theme at time t (0 = two years ago, 1 = as_of)."""
    if trend == "growing":
        return 0.2 + 1.6 * t
    if trend == "fading":
        return 1.8 - 1.6 * t
    return np.ones_like(t)


def _pick_themes(rng: np.random.Generator, ta: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Theme index per note; ``len(PLANTED_THEMES)`` means a noise note."""
    in_area = np.array(
        [[name in th.areas for th in PLANTED_THEMES] for name in TA_NAMES], dtype=float
    )
    weights = in_area[ta] * np.column_stack([_theme_trend(th.trend, t) for th in PLANTED_THEMES])
    weights = np.column_stack([weights, np.full(len(ta), NOISE_WEIGHT)])
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(ta)) * cum[:, -1]
    return np.minimum((cum <= u[:, None]).sum(axis=1), len(PLANTED_THEMES))


def _insights(rng: np.random.Generator, ta: np.ndarray, theme: np.ndarray, blank: np.ndarray):
    n = len(ta)
    picks = rng.integers(0, 1 << 30, (n, 8)).tolist()
    sent_u, label_u = rng.random(n).tolist(), rng.random(n).tolist()
    insight, topic, category, sentiment = [], [], [], []
    for t, th, b, p, su, lu in zip(
        ta.tolist(), theme.tolist(), blank.tolist(), picks, sent_u, label_u
    ):
        area = THERAPEUTIC_AREAS[t]
        if b:
            insight.append("")
            category.append("")
            sentiment.append("")
            topic.append(area.topics[p[0] % len(area.topics)])
            continue
        slots = {
            "drug": area.interventions[p[1] % len(area.interventions)],
            "disease": area.diseases[p[2] % len(area.diseases)],
            "weeks": 2 + p[3] % 7,
            "n": 3 + p[4] % 38,
            "payer": PAYERS[p[5] % len(PAYERS)],
            "site": SITES[p[6] % len(SITES)],
        }
        if th == len(PLANTED_THEMES):
            insight.append(_cap(NOISE_NOTES[p[0] % len(NOISE_NOTES)].format(**slots)))
            topic.append(
                (area.topics + NOISE_TOPICS)[p[7] % (len(area.topics) + len(NOISE_TOPICS))]
            )
            category.append("other" if lu < 0.7 else "treatment practice")
            sentiment.append(_pick_sentiment(NOISE_SENTIMENT_P, su))
            continue
        planted = PLANTED_THEMES[th]
        text = planted.phrasings[p[0] % len(planted.phrasings)].format(**slots)
        insight.append(text + SUFFIXES[p[7] % len(SUFFIXES)])
        topic.append(planted.topic)
        mislabel = schema.DEFAULT_INSIGHT_CATEGORIES[p[5] % len(schema.DEFAULT_INSIGHT_CATEGORIES)]
        category.append(mislabel if lu < MISLABEL_SHARE else planted.category)
        sentiment.append(_pick_sentiment(planted.sentiment_p, su))
    return insight, topic, category, sentiment


def _pick_sentiment(p: tuple[float, float, float], u: float) -> str:
    return schema.SENTIMENTS[0 if u < p[0] else 1 if u < p[0] + p[1] else 2]


# --- the bundle -----------------------------------------------------------------------------


def generate_bundle(
    out: Path,
    size: str,
    seed: int = 42,
    as_of: date | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write a synthetic canonical CSV bundle of ``size`` (S, M or L) into ``out``.

    The same ``seed`` and ``as_of`` always give byte-identical files.  ``as_of`` (default
    today) anchors dates: touchpoints cover the two years ending there, publications the 15
    years up to its year.  ``progress`` is called with the number of rows just written.
    Returns rows written per file (table name -> count), in :data:`schema.TABLES` order.
    """
    spec = _size_spec(size)
    as_of = _day(as_of or date.today())
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"cannot create output folder {out}: {error.strerror}") from None
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8)]
    with ExitStack() as stack:
        tables = {}
        for table in schema.TABLES:
            tables[table.name] = _CsvTable(out, table, progress or (lambda _n: None))
            stack.callback(tables[table.name].close)
        _generate(rngs, spec, as_of, tables)
    return {name: tables[name].rows for name in schema.TABLES_BY_NAME}


def _day(as_of: date) -> date:
    """A plain date (a ``datetime`` would carry a time into the ISO dates)."""
    return as_of.date() if isinstance(as_of, datetime) else as_of


def _size_spec(size: str) -> SizeSpec:
    try:
        return SIZES[size.upper()]
    except (KeyError, AttributeError):
        raise InputError(f"unknown size {size!r}; choose one of {', '.join(SIZES)}") from None


def _generate(
    rngs: list[np.random.Generator], spec: SizeSpec, as_of: date, tables: dict[str, _CsvTable]
) -> None:
    # each stage draws from its own stream, so changing one stage leaves the others alone
    world = _build_world(rngs[0], spec.hcps, as_of)
    ids = _hcp_ids(world.n_hcps)
    _write_institutions(world, tables["institutions"])
    _write_hcps(rngs[1], world, ids, tables["hcps"])
    _write_affiliations(rngs[2], world, ids, as_of, tables["affiliations"])
    papers = _write_publications(
        rngs[3], world, spec, as_of, ids, tables["publications"], tables["authorships"]
    )
    trial_roles = _write_trials(
        rngs[4], world, papers, ids, spec.trials, as_of, tables["trials"], tables["trial_roles"]
    )
    msl_cells = _write_msls(rngs[5], spec, tables["msls"])
    influence = papers + 4 * trial_roles
    _write_touchpoints(
        rngs[6], world, influence, msl_cells, ids, spec.touchpoints, as_of, tables["touchpoints"]
    )

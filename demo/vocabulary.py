"""Words and texts of the bulk demo complaints.

Titles are "<problem> <subject>" (24 subjects, so each subject word is in about 4 % of the
titles: ``parcel`` is a common search) and one title in ``RARE_WORD_SHARE`` also names an
item from ``RARE_WORDS`` (each of them in about 0.05 % of the titles: a rare search).
"""

SUBJECTS = [
    "invoice",
    "parcel",
    "refund",
    "order",
    "subscription",
    "delivery driver",
    "app login",
    "warranty claim",
    "phone line",
    "router",
    "payment",
    "voucher",
    "account",
    "kettle",
    "washing machine",
    "train ticket",
    "hotel booking",
    "insurance claim",
    "meter reading",
    "direct debit",
    "loyalty points",
    "return label",
    "password reset",
    "replacement part",
]
PROBLEMS = [
    "charged twice for",
    "never received my",
    "damaged",
    "wrong amount on my",
    "cannot use my",
    "still waiting for my",
    "rude staff about my",
    "late",
    "missing items in my",
    "no answer about my",
    "cancelled without notice:",
    "broken after a week:",
]
DETAILS = [
    "I contacted support twice and nobody called back.",
    "The tracking page has not changed for a week.",
    "I have attached the receipt and photos.",
    "This is the third time this happens this year.",
    "Please refund the difference to my card.",
    "Your chat bot closed the conversation without an answer.",
    "I expect a written explanation and compensation.",
    "The order number is on the confirmation email.",
]
RARE_WORD_SHARE = 0.05
RARE_WORDS = [
    "accordion", "anemometer", "aquarium", "armchair", "autoharp", "barometer", "bassoon",
    "bellows", "binoculars", "birdbath", "blowtorch", "bookcase", "breadmaker", "cafetiere",
    "camcorder", "candelabra", "carburettor", "cello", "chandelier", "chessboard",
    "chronograph", "clarinet", "colander", "compass", "cufflinks", "decanter",
    "dehumidifier", "didgeridoo", "dishwasher", "doorbell", "dumbbell", "easel", "espadrilles",
    "fondue", "footstool", "gazebo", "glockenspiel", "greenhouse", "hammock", "harmonica",
    "harpsichord", "headboard", "hedgetrimmer", "hourglass", "humidor", "hydrometer",
    "jukebox", "kaleidoscope", "kayak", "lampshade", "lawnmower", "lectern", "mandolin",
    "metronome", "microscope", "moped", "mousetrap", "nutcracker", "oboe", "ottoman",
    "paddleboard", "pedalo", "percolator", "periscope", "pianola", "pogostick", "quiver",
    "rangefinder", "rickshaw", "rotisserie", "samovar", "saxophone", "scooter", "sextant",
    "shoehorn", "skateboard", "sleeping bag", "snorkel", "sousaphone", "spinning wheel",
    "stepladder", "stethoscope", "sundial", "surfboard", "tambourine", "tandem", "telescope",
    "theodolite", "thermostat", "toboggan", "trampoline", "trombone", "tuba", "typewriter",
    "ukulele", "unicycle", "vaporiser", "wheelbarrow", "xylophone", "zither",
]  # fmt: skip
RESOLUTIONS = [
    "Refund issued to the original payment method.",
    "Replacement dispatched with next-day delivery.",
    "Account corrected and a goodwill credit applied.",
    "Explained the charge; customer agreed it was correct.",
    "Fault fixed by the engineer on site.",
]
REJECTIONS = [
    "Outside the warranty period.",
    "Duplicate of an existing complaint.",
    "Not enough information after several requests.",
]
CUSTOMER_COMMENTS = [
    "Any news on this? It has been a few days.",
    "I have added the photos you asked for.",
    "Thank you, I will wait for the engineer.",
    "This is still not fixed, please call me.",
    "The courier left a card but nobody knocked.",
    "I can confirm the amount on the statement is wrong.",
]
STAFF_COMMENTS = [
    "We have asked the warehouse to check the stock.",
    "Refund approved; it takes 3-5 working days.",
    "Could you send us the order number, please?",
    "Escalated to the billing team.",
    "The engineer visit is booked for Thursday morning.",
    "Sorry for the wait; we are on it.",
]
INTERNAL_NOTES = [
    "Second complaint from this customer this month.",
    "Courier contract issue, see the weekly report.",
    "Goodwill credit pre-approved by the team lead.",
    "Check with finance before refunding.",
]
FEEDBACK_COMMENTS = [
    "Quick and friendly, thank you.",
    "Took far too long.",
    "Solved, but I had to chase twice.",
    "Excellent service.",
    "The refund was less than expected.",
]

"""The X12 element dictionary: for each segment we validate, its elements' data type, lengths, requirement,
repeats, syntax rules (paired/conditional/exclusion) and the code values the 5010 health-care guides list.

The table below is written from the X12 5010 segment directory as the health-care guides use it; it is parsed
once, on first use.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

__all__ = ["ElementDef", "SegmentDef", "SyntaxRule", "segment_def", "segment_ids"]


@dataclass(frozen=True, slots=True)
class ElementDef:
    """One data element (or a component of a composite) of a segment.

    ``usage`` is the X12 requirement: M mandatory, O optional, X conditional (see the segment's syntax rules).
    ``data_type`` is AN, ID, DT, TM, R, N0..N9, B, or C for a composite (then ``components`` are its parts).
    ``codes`` are the values the guides allow (None when the guides defer to an external code list);
    ``codes_5010_only`` marks lists the 5010 guides narrowed (4010 files allowed more values).
    """

    position: int
    usage: str
    data_type: str
    min_length: int
    max_length: int
    name: str
    codes: frozenset[str] | None = None
    max_repeats: int = 1
    codes_5010_only: bool = False
    components: tuple[ElementDef, ...] = ()

    @property
    def required(self) -> bool:
        return self.usage == "M"


@dataclass(frozen=True, slots=True)
class SyntaxRule:
    """An X12 syntax note: P paired, R at least one, E at most one, C if-first-then-all, L if-first-then-one."""

    kind: str
    positions: tuple[int, ...]

    def __str__(self) -> str:
        return self.kind + "".join(f"{p:02d}" for p in self.positions)


@dataclass(frozen=True, slots=True)
class SegmentDef:
    id: str
    name: str
    elements: tuple[ElementDef, ...]
    rules: tuple[SyntaxRule, ...] = ()


_CLAIM_FILING = "11 12 13 14 15 16 17 AM BL CH CI DS FI HM LM MA MB MC OF TV VA WC ZZ"
_HI = "".join(
    f"""{n} {"M" if n == 1 else "O"} C 0-0 health care code information
.1 M ID 1-3 code list qualifier code
.2 M AN 1-30 industry code
.3 X ID 2-3 date time period format qualifier = D8 RD8
.4 X AN 1-35 date time period
.5 O R 1-15 monetary amount
.6 O R 1-15 quantity
.9 O ID 1-1 present on admission indicator = N U W Y
"""
    for n in range(1, 13)
)
_EB01 = "1 2 3 4 5 6 7 8 A B C CB D E F G H I J K L M MC N O P Q R S T U V W X Y"
_MIA_AMOUNTS = "".join(f"{n} O R 1-18 monetary amount\n" for n in range(6, 20))
_TS3_AMOUNTS = "".join(f"{n} O R 1-18 monetary amount\n" for n in range(6, 25))
_NM108 = "24 34 46 AD BD BS C FI HN II MC MI MR NI PC PI PP SL SV UP XV XX ZZ"
_PLB_REASONS = (
    "50 51 72 90 AH AM AP B2 B3 BD BN C5 CR CS CT CV CW DM E3 FB FC GO HM IP IR IS J1 L3 L6 LE LS OA OB PI PL "
    "RA RE SL TL WO WU"
)
_AAA03 = (
    "04 15 33 35 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 67 68 69 70 71 72 "
    "73 74 75 76 77 78 79 80 97 98 AA AE AF AG AO CI E8 IA MA T4"
)
_CAS_RULES = "C0506 C0605 C0705 C0809 C0908 C1008 C1112 C1211 C1311 C1415 C1514 C1614 C1718 C1817 C1917"

# One segment per block: "SEG <id> <name> | <syntax rules>", then one line per element:
# "<pos> <usage> <type> <min>-<max> [x<repeats>] <name> [= code code ...]"; composite parts: ".<k> ...".
# "=5" instead of "=" marks a code list that only the 5010 guides use.
_TABLE = f"""
SEG ST Transaction Set Header
1 M ID 3-3 transaction set identifier code
2 M AN 4-9 transaction set control number
3 O AN 1-35 implementation convention reference
SEG SE Transaction Set Trailer
1 M N0 1-10 number of included segments
2 M AN 4-9 transaction set control number
SEG BHT Beginning of Hierarchical Transaction
1 M ID 4-4 hierarchical structure code = 0010 0019 0022 0078 0085
2 M ID 2-2 transaction set purpose code = 00 01 06 08 11 13 18 RV
3 O AN 1-50 reference identification
4 O DT 8-8 date
5 O TM 4-8 time
6 O ID 2-2 transaction type code =5 31 CH DG RP TH
SEG HL Hierarchical Level
1 M AN 1-12 hierarchical id number
2 O AN 1-12 hierarchical parent id number
3 M ID 1-2 hierarchical level code = 19 20 21 22 23 PT
4 O ID 1-1 hierarchical child code = 0 1
SEG NM1 Individual or Organizational Name | P0809 C1110 C1203
1 M ID 2-3 entity identifier code
2 M ID 1-1 entity type qualifier = 1 2
3 O AN 1-60 name last or organization name
4 O AN 1-35 name first
5 O AN 1-25 name middle
6 O AN 1-10 name prefix
7 O AN 1-10 name suffix
8 X ID 1-2 identification code qualifier =5 {_NM108}
9 X AN 2-80 identification code
10 X ID 2-2 entity relationship code
11 X ID 2-3 entity identifier code
12 O AN 1-60 name last or organization name
SEG N1 Party Identification | R0203 P0304
1 M ID 2-3 entity identifier code
2 X AN 1-60 name
3 X ID 1-2 identification code qualifier
4 X AN 2-80 identification code
SEG N2 Additional Name Information
1 M AN 1-60 name
2 O AN 1-60 name
SEG N3 Party Location
1 M AN 1-55 address information
2 O AN 1-55 address information
SEG N4 Geographic Location | E0207 C0605 C0704
1 O AN 2-30 city name
2 O ID 2-2 state or province code
3 O ID 3-15 postal code
4 O ID 2-3 country code
5 X ID 1-2 location qualifier
6 X AN 1-30 location identifier
7 X ID 1-3 country subdivision code
SEG PER Administrative Communications Contact | P0304 P0506 P0708
1 M ID 2-2 contact function code = 1P BL CX IC
2 O AN 1-60 name
3 X ID 2-2 communication number qualifier = ED EM EX FX TE UR WP
4 X AN 1-256 communication number
5 X ID 2-2 communication number qualifier = ED EM EX FX TE UR WP
6 X AN 1-256 communication number
7 X ID 2-2 communication number qualifier = ED EM EX FX TE UR WP
8 X AN 1-256 communication number
SEG REF Reference Information | R0203
1 M ID 2-3 reference identification qualifier
2 X AN 1-50 reference identification
3 X AN 1-80 description
4 O C 0-0 reference identifier
.1 M ID 2-3 reference identification qualifier
.2 M AN 1-50 reference identification
SEG DTP Date or Time or Period
1 M ID 3-3 date time qualifier
2 M ID 2-3 date time period format qualifier = D8 RD8 DT TM
3 M AN 1-35 date time period
SEG DTM Date/Time Reference | R020305 C0403 P0506
1 M ID 3-3 date/time qualifier
2 X DT 8-8 date
3 X TM 4-8 time
4 O ID 2-2 time code
5 X ID 2-3 date time period format qualifier
6 X AN 1-35 date time period
SEG DMG Demographic Information | P0102 P1011 C1110
1 X ID 2-3 date time period format qualifier = D8
2 X AN 1-35 date time period
3 O ID 1-1 gender code = F M U
4 O ID 1-1 marital status code
5 O C 0-0 composite race or ethnicity information x99
.1 X ID 1-1 race or ethnicity code
.2 X ID 1-3 code list qualifier code
.3 X AN 1-30 industry code
6 O ID 1-2 citizenship status code
7 O ID 2-3 country code
8 O ID 2-2 basis of verification code
9 O R 1-15 quantity
10 X ID 1-3 code list qualifier code
11 X AN 1-30 industry code
SEG PRV Provider Information | P0203
1 M ID 1-3 provider code =5 AD AT BI CO CV H HH LA OT P1 P2 P3 P4 PC PE R RF SB SK SU
2 X ID 2-3 reference identification qualifier = PXC ZZ
3 X AN 1-50 reference identification
SEG SBR Subscriber Information
1 M ID 1-1 payer responsibility sequence number code = A B C D E F G H P S T U
2 O ID 2-2 individual relationship code
3 O AN 1-50 reference identification
4 O AN 1-60 name
5 O ID 1-3 insurance type code
6 O ID 1-1 coordination of benefits code
7 O ID 1-1 yes/no condition or response code = N Y
8 O ID 2-2 employment status code
9 O ID 1-2 claim filing indicator code =5 {_CLAIM_FILING}
SEG PAT Patient Information | P0506 P0708
1 O ID 2-2 individual relationship code
2 O ID 1-1 patient location code
3 O ID 2-2 employment status code
4 O ID 1-1 student status code
5 X ID 2-3 date time period format qualifier = D8
6 X AN 1-35 date time period
7 X ID 2-2 unit or basis for measurement code = 01
8 X R 1-10 weight
9 O ID 1-1 yes/no condition or response code = Y
SEG CUR Currency | C0807 C0907
1 M ID 2-3 entity identifier code
2 M ID 3-3 currency code
3 O R 4-10 exchange rate
SEG AMT Monetary Amount Information
1 M ID 1-3 amount qualifier code
2 M R 1-18 monetary amount
3 O ID 1-1 credit/debit flag code
SEG QTY Quantity Information | R0204 E0204
1 M ID 2-2 quantity qualifier
2 X R 1-15 quantity
3 O C 0-0 composite unit of measure
.1 M ID 2-2 unit or basis for measurement code
4 X AN 1-30 free-form information
SEG TRN Trace
1 M ID 1-2 trace type code = 1 2 3
2 M AN 1-50 reference identification
3 O AN 10-10 originating company identifier
4 O AN 1-50 reference identification
SEG NTE Note/Special Instruction
1 O ID 3-3 note reference code
2 M AN 1-80 description
SEG CLM Health Claim
1 M AN 1-38 claim submitter's identifier
2 M R 1-18 monetary amount
3 O ID 1-2 claim filing indicator code
4 O ID 1-2 non-institutional claim type code
5 M C 0-0 health care service location information
.1 M AN 1-2 facility code value
.2 O ID 1-2 facility code qualifier = A B
.3 O ID 1-1 claim frequency type code
6 O ID 1-1 provider signature indicator = N Y
7 O ID 1-1 provider accept assignment code =5 A B C
8 O ID 1-1 benefits assignment certification indicator =5 N W Y
9 O ID 1-1 release of information code =5 I Y
10 O ID 1-1 patient signature source code =5 P
11 O C 0-0 related causes information
.1 M ID 2-3 related causes code = AA EM OA
.2 O ID 2-3 related causes code = AA EM OA
.3 O ID 2-3 related causes code
.4 O ID 2-2 state or province code
.5 O ID 2-3 country code
12 O ID 2-3 special program code =5 02 03 05 09
20 O ID 1-2 delay reason code =5 1 2 3 4 5 6 7 8 9 10 11 15
SEG HI Health Care Information Codes
{_HI}
SEG LX Transaction Set Line Number
1 M N0 1-6 assigned number
SEG SV1 Professional Service
1 M C 0-0 composite medical procedure identifier
.1 M ID 2-2 product/service id qualifier = ER HC IV WK
.2 M AN 1-48 procedure code
.3 O AN 2-2 procedure modifier
.4 O AN 2-2 procedure modifier
.5 O AN 2-2 procedure modifier
.6 O AN 2-2 procedure modifier
.7 O AN 1-80 description
.8 O AN 1-48 product/service id
2 M R 1-18 monetary amount
3 M ID 2-2 unit or basis for measurement code = MJ UN
4 M R 1-15 quantity
5 O AN 1-2 facility code value
7 O C 0-0 composite diagnosis code pointer
.1 M N0 1-2 diagnosis code pointer
.2 O N0 1-2 diagnosis code pointer
.3 O N0 1-2 diagnosis code pointer
.4 O N0 1-2 diagnosis code pointer
9 O ID 1-1 yes/no condition or response code = N Y
11 O ID 1-1 yes/no condition or response code = N Y
12 O ID 1-1 yes/no condition or response code = N Y
15 O ID 1-1 copay status code = 0
SEG SV2 Institutional Service
1 O AN 1-48 product/service id
2 O C 0-0 composite medical procedure identifier
.1 M ID 2-2 product/service id qualifier = ER HC HP IV WK
.2 M AN 1-48 procedure code
.3 O AN 2-2 procedure modifier
.4 O AN 2-2 procedure modifier
.5 O AN 2-2 procedure modifier
.6 O AN 2-2 procedure modifier
.7 O AN 1-80 description
.8 O AN 1-48 product/service id
3 O R 1-18 monetary amount
4 O ID 2-2 unit or basis for measurement code = DA UN
5 O R 1-15 quantity
7 O R 1-18 monetary amount
SEG SVD Service Line Adjudication
1 M AN 2-80 identification code
2 M R 1-18 monetary amount
3 O C 0-0 composite medical procedure identifier
.1 M ID 2-2 product/service id qualifier = ER HC HP IV N4 WK
.2 M AN 1-48 procedure code
.3 O AN 2-2 procedure modifier
.4 O AN 2-2 procedure modifier
.5 O AN 2-2 procedure modifier
.6 O AN 2-2 procedure modifier
.7 O AN 1-80 description
.8 O AN 1-48 product/service id
4 O AN 1-48 product/service id
5 O R 1-15 quantity
6 O N0 1-6 assigned number
SEG CAS Claims Adjustment | {_CAS_RULES}
1 M ID 1-2 claim adjustment group code = CO CR OA PI PR
2 M ID 1-5 claim adjustment reason code
3 M R 1-18 monetary amount
4 O R 1-15 quantity
5 X ID 1-5 claim adjustment reason code
6 X R 1-18 monetary amount
7 X R 1-15 quantity
8 X ID 1-5 claim adjustment reason code
9 X R 1-18 monetary amount
10 X R 1-15 quantity
11 X ID 1-5 claim adjustment reason code
12 X R 1-18 monetary amount
13 X R 1-15 quantity
14 X ID 1-5 claim adjustment reason code
15 X R 1-18 monetary amount
16 X R 1-15 quantity
17 X ID 1-5 claim adjustment reason code
18 X R 1-18 monetary amount
19 X R 1-15 quantity
SEG BPR Financial Information | P0607 C0809 P1213 C1415 P1819 C2021
1 M ID 1-2 transaction handling code = C D H I P U X
2 M R 1-18 monetary amount
3 M ID 1-1 credit/debit flag code = C D
4 M ID 3-3 payment method code = ACH BOP CHK FWT NON
5 O ID 1-10 payment format code = CCP CTX
6 X ID 2-2 dfi id number qualifier = 01 04
7 X AN 3-12 dfi identification number
8 X ID 1-3 account number qualifier = DA
9 X AN 1-35 account number
10 O AN 10-10 originating company identifier
11 O AN 9-9 originating company supplemental code
12 X ID 2-2 dfi id number qualifier = 01 04
13 X AN 3-12 dfi identification number
14 X ID 1-3 account number qualifier = DA SG
15 X AN 1-35 account number
16 O DT 8-8 date
SEG CLP Claim Level Data
1 M AN 1-38 claim submitter's identifier
2 M ID 1-2 claim status code = 1 2 3 4 19 20 21 22 23 25
3 M R 1-18 monetary amount
4 M R 1-18 monetary amount
5 O R 1-18 monetary amount
6 O ID 1-2 claim filing indicator code =5 {_CLAIM_FILING}
7 O AN 1-50 reference identification
8 O AN 1-2 facility code value
9 O ID 1-1 claim frequency type code
11 O AN 1-30 diagnosis related group code
12 O R 1-15 quantity
13 O R 1-10 percentage as decimal
SEG SVC Service Information
1 M C 0-0 composite medical procedure identifier
.1 M ID 2-2 product/service id qualifier =5 AD ER HC HP IV N4 NU WK
.2 M AN 1-48 procedure code
.3 O AN 2-2 procedure modifier
.4 O AN 2-2 procedure modifier
.5 O AN 2-2 procedure modifier
.6 O AN 2-2 procedure modifier
.7 O AN 1-80 description
.8 O AN 1-48 product/service id
2 M R 1-18 monetary amount
3 O R 1-18 monetary amount
4 O AN 1-48 product/service id
5 O R 1-15 quantity
6 O C 0-0 composite medical procedure identifier
.1 M ID 2-2 product/service id qualifier =5 AD ER HC HP IV N4 NU WK
.2 M AN 1-48 procedure code
.3 O AN 2-2 procedure modifier
.4 O AN 2-2 procedure modifier
.5 O AN 2-2 procedure modifier
.6 O AN 2-2 procedure modifier
.7 O AN 1-80 description
.8 O AN 1-48 product/service id
7 O R 1-15 quantity
SEG LQ Industry Code Identification | C0102
1 O ID 1-3 code list qualifier code = AS HE RX UT
2 X AN 1-30 industry code
SEG PLB Provider Level Adjustment | P0506 P0708 P0910 P1112 P1314
1 M AN 1-50 reference identification
2 M DT 8-8 date
3 M C 0-0 adjustment identifier
.1 M ID 2-2 adjustment reason code =5 {_PLB_REASONS}
.2 O AN 1-50 reference identification
4 M R 1-18 monetary amount
5 X C 0-0 adjustment identifier
.1 M ID 2-2 adjustment reason code =5 {_PLB_REASONS}
.2 O AN 1-50 reference identification
6 X R 1-18 monetary amount
7 X C 0-0 adjustment identifier
.1 M ID 2-2 adjustment reason code =5 {_PLB_REASONS}
.2 O AN 1-50 reference identification
8 X R 1-18 monetary amount
9 X C 0-0 adjustment identifier
.1 M ID 2-2 adjustment reason code =5 {_PLB_REASONS}
.2 O AN 1-50 reference identification
10 X R 1-18 monetary amount
11 X C 0-0 adjustment identifier
.1 M ID 2-2 adjustment reason code =5 {_PLB_REASONS}
.2 O AN 1-50 reference identification
12 X R 1-18 monetary amount
13 X C 0-0 adjustment identifier
.1 M ID 2-2 adjustment reason code =5 {_PLB_REASONS}
.2 O AN 1-50 reference identification
14 X R 1-18 monetary amount
SEG MIA Medicare Inpatient Adjudication
1 M R 1-15 quantity
2 O R 1-18 monetary amount
3 O R 1-15 quantity
4 O R 1-18 monetary amount
5 O AN 1-50 reference identification
{_MIA_AMOUNTS}20 O AN 1-50 reference identification
21 O AN 1-50 reference identification
22 O AN 1-50 reference identification
23 O AN 1-50 reference identification
24 O R 1-18 monetary amount
SEG MOA Medicare Outpatient Adjudication
1 O R 1-10 percentage as decimal
2 O R 1-18 monetary amount
3 O AN 1-50 reference identification
4 O AN 1-50 reference identification
5 O AN 1-50 reference identification
6 O AN 1-50 reference identification
7 O AN 1-50 reference identification
8 O R 1-18 monetary amount
9 O R 1-18 monetary amount
SEG TS3 Provider Summary Information
1 M AN 1-50 reference identification
2 M AN 1-2 facility code value
3 M DT 8-8 date
4 M R 1-15 quantity
5 M R 1-18 monetary amount
{_TS3_AMOUNTS}SEG INS Insured Benefit | P1112
1 M ID 1-1 yes/no condition or response code = N Y
2 M ID 2-2 individual relationship code
3 O ID 3-3 maintenance type code
4 O ID 2-3 maintenance reason code
5 O ID 1-1 benefit status code
6 O C 0-0 medicare status code
.1 M ID 1-1 medicare plan code
.2 O ID 1-3 eligibility reason code
.3 O ID 1-3 eligibility reason code
.4 O ID 1-3 eligibility reason code
7 O ID 1-2 consolidated omnibus budget reconciliation act (cobra) qualifying
8 O ID 2-2 employment status code
9 O ID 1-1 student status code
10 O ID 1-1 yes/no condition or response code = N Y
11 X ID 2-3 date time period format qualifier = D8
12 X AN 1-35 date time period
13 O ID 1-1 confidentiality code
14 O AN 2-30 city name
15 O ID 2-2 state or province code
16 O ID 2-3 country code
17 O N0 1-9 number
SEG EQ Eligibility or Benefit Inquiry | R0102
1 X ID 1-2 x99 service type code
2 X C 0-0 composite medical procedure identifier
.1 M ID 2-2 product/service id qualifier = AD CJ HC ID IV N4 ZZ
.2 M AN 1-48 procedure code
.3 O AN 2-2 procedure modifier
.4 O AN 2-2 procedure modifier
.5 O AN 2-2 procedure modifier
.6 O AN 2-2 procedure modifier
.7 O AN 1-80 description
.8 O AN 1-48 product/service id
3 O ID 3-3 coverage level code = CHD DEP ECH EMP ESP FAM IND SPC SPO TWO
SEG EB Eligibility or Benefit Information
1 M ID 1-2 eligibility or benefit information code = {_EB01}
2 O ID 3-3 coverage level code = CHD DEP ECH EMP ESP FAM IND SPC SPO TWO
3 O ID 1-2 x99 service type code
4 O ID 1-2 insurance type code
5 O AN 1-50 plan coverage description
6 O ID 1-2 time period qualifier = 6 7 13 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36
7 O R 1-18 monetary amount
8 O R 1-10 percentage as decimal
9 X ID 2-2 quantity qualifier =5 8H 99 CA CE D3 DY HS LA LE M2 MN P6 QA S7 S8 VS YY
10 X R 1-15 quantity
11 O ID 1-1 yes/no condition or response code = N U Y
12 O ID 1-1 yes/no condition or response code = N U W Y
SEG AAA Request Validation
1 M ID 1-1 yes/no condition or response code = N Y
3 O ID 2-2 reject reason code =5 {_AAA03}
4 O ID 1-1 follow-up action code = C N P R S W X Y
SEG MSG Message Text
1 M AN 1-264 free-form message text
SEG III Information
1 X ID 1-3 code list qualifier code
2 X AN 1-30 industry code
SEG LS Loop Header
1 M AN 1-4 loop identifier code
SEG LE Loop Trailer
1 M AN 1-4 loop identifier code
SEG STC Status Information
1 M C 0-0 health care claim status
.1 M AN 1-30 industry code
.2 M AN 1-30 industry code
.3 O ID 2-3 entity identifier code
.4 O ID 1-3 code list qualifier code
2 O DT 8-8 date
3 O ID 1-2 action code
4 O R 1-18 monetary amount
5 O R 1-18 monetary amount
6 O DT 8-8 date
7 O ID 3-3 payment method code
8 O DT 8-8 date
9 O AN 1-16 check number
10 O C 0-0 health care claim status
.1 M AN 1-30 industry code
.2 M AN 1-30 industry code
.3 O ID 2-3 entity identifier code
.4 O ID 1-3 code list qualifier code
11 O C 0-0 health care claim status
.1 M AN 1-30 industry code
.2 M AN 1-30 industry code
.3 O ID 2-3 entity identifier code
.4 O ID 1-3 code list qualifier code
12 O AN 1-264 free-form message text
SEG AK1 Functional Group Response Header
1 M ID 2-2 functional identifier code
2 M N0 1-9 group control number
3 O AN 1-12 version / release / industry identifier code
SEG AK2 Transaction Set Response Header
1 M ID 3-3 transaction set identifier code
2 M AN 4-9 transaction set control number
3 O AN 1-35 implementation convention reference
SEG IK3 Implementation Data Segment Note
1 M ID 2-3 segment id code
2 M N0 1-10 segment position in transaction set
3 O AN 1-4 loop identifier code
4 O ID 1-3 implementation segment syntax error code = 1 2 3 4 5 6 7 8 I4 I6 I7 I8 I9
SEG IK4 Implementation Data Element Note
1 M C 0-0 position in segment
.1 M N0 1-2 element position in segment
.2 O N0 1-2 component data element position in composite
.3 O N0 1-4 repeating data element position
2 O N0 1-4 data element reference number
3 M ID 1-3 implementation data element syntax error code = 1 2 3 4 5 6 7 8 9 10 12 13 I10 I11 I12 I13 I6 I9
4 O AN 1-99 copy of bad data element
SEG AK3 Data Segment Note
1 M ID 2-3 segment id code
2 M N0 1-10 segment position in transaction set
3 O AN 1-4 loop identifier code
4 O ID 1-3 segment syntax error code = 1 2 3 4 5 6 7 8
SEG AK4 Data Element Note
1 M C 0-0 position in segment
.1 M N0 1-2 element position in segment
.2 O N0 1-2 component data element position in composite
.3 O N0 1-4 repeating data element position
2 O N0 1-4 data element reference number
3 M ID 1-3 data element syntax error code = 1 2 3 4 5 6 7 8 9 10 12 13
4 O AN 1-99 copy of bad data element
SEG AK5 Transaction Set Response Trailer
1 M ID 1-1 transaction set acknowledgment code = A E M R W X
2 O ID 1-3 transaction set syntax error code
3 O ID 1-3 transaction set syntax error code
4 O ID 1-3 transaction set syntax error code
5 O ID 1-3 transaction set syntax error code
6 O ID 1-3 transaction set syntax error code
SEG IK5 Implementation Transaction Set Response Trailer
1 M ID 1-1 transaction set acknowledgment code = A E M R W X
2 O ID 1-3 implementation transaction set syntax error code
3 O ID 1-3 implementation transaction set syntax error code
4 O ID 1-3 implementation transaction set syntax error code
5 O ID 1-3 implementation transaction set syntax error code
6 O ID 1-3 implementation transaction set syntax error code
SEG AK9 Functional Group Response Trailer
1 M ID 1-1 functional group acknowledge code = A E M P R W X
2 M N0 1-6 number of transaction sets included
3 M N0 1-6 number of received transaction sets
4 M N0 1-6 number of accepted transaction sets
5 O ID 1-3 functional group syntax error code
6 O ID 1-3 functional group syntax error code
7 O ID 1-3 functional group syntax error code
8 O ID 1-3 functional group syntax error code
9 O ID 1-3 functional group syntax error code
"""


def _element(line: str) -> tuple[int, ElementDef]:
    only_5010 = " =5 " in line
    head, _, codes = line.partition(" =5 " if only_5010 else " = ")
    parts = head.split()
    position = int(parts[0].lstrip("."))
    usage, data_type, lengths = parts[1], parts[2], parts[3]
    low, high = (int(x) for x in lengths.split("-"))
    rest = parts[4:]
    repeats = 1
    if rest and rest[0].startswith("x") and rest[0][1:].isdigit():
        repeats = int(rest[0][1:])
        rest = rest[1:]
    return position, ElementDef(
        position=position,
        usage=usage,
        data_type=data_type,
        min_length=low,
        max_length=high,
        name=" ".join(rest),
        codes=frozenset(codes.split()) if codes else None,
        max_repeats=repeats,
        codes_5010_only=only_5010,
    )


def _finish(seg_id: str, name: str, rules: str, elements: list[tuple[ElementDef, list[ElementDef]]]) -> SegmentDef:
    built = tuple(
        ElementDef(
            e.position,
            e.usage,
            e.data_type,
            e.min_length,
            e.max_length,
            e.name,
            e.codes,
            e.max_repeats,
            e.codes_5010_only,
            tuple(parts),
        )
        if parts
        else e
        for e, parts in elements
    )
    syntax = tuple(SyntaxRule(r[0], tuple(int(r[i : i + 2]) for i in range(1, len(r), 2))) for r in rules.split() if r)
    return SegmentDef(seg_id, name, built, syntax)


@functools.cache
def _segments() -> dict[str, SegmentDef]:
    table: dict[str, SegmentDef] = {}
    current: tuple[str, str, str] | None = None
    elements: list[tuple[ElementDef, list[ElementDef]]] = []
    for raw in _TABLE.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("SEG "):
            if current is not None:
                table[current[0]] = _finish(*current, elements)
            head, _, rules = line[4:].partition(" | ")
            seg_id, _, name = head.partition(" ")
            current, elements = (seg_id, name, rules), []
        elif line.startswith("."):
            elements[-1][1].append(_element(line)[1])
        else:
            elements.append((_element(line)[1], []))
    if current is not None:
        table[current[0]] = _finish(*current, elements)
    return table


def segment_def(segment_id: str) -> SegmentDef | None:
    """The dictionary entry for a segment id, or None when we do not describe that segment."""
    return _segments().get(segment_id)


def segment_ids() -> frozenset[str]:
    """Every segment id the dictionary describes."""
    return frozenset(_segments())

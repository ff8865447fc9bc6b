"""GraphQL enums for the SIAK code lists (values serialise as names, e.g. MALE)."""

import enum

import strawberry

from backend.population import codes
from backend.population.age import AGE_BANDS

Sex = strawberry.enum(codes.Sex, name="Sex")
LifeStatus = strawberry.enum(codes.LifeStatus, name="LifeStatus")
Residency = strawberry.enum(codes.Residency, name="Residency")
Religion = strawberry.enum(codes.Religion, name="Religion")
Education = strawberry.enum(codes.Education, name="Education")
MaritalStatus = strawberry.enum(codes.MaritalStatus, name="MaritalStatus")
Relationship = strawberry.enum(codes.Relationship, name="Relationship")
Citizenship = strawberry.enum(codes.Citizenship, name="Citizenship")
BloodType = strawberry.enum(codes.BloodType, name="BloodType")
Occupation = strawberry.enum(codes.Occupation, name="Occupation")


@strawberry.enum(name="AgeBand", description="Age groups used in filters and aggregates.")
class AgeBandKey(enum.Enum):
    AGE_0_4 = "0-4"
    AGE_5_14 = "5-14"
    AGE_15_24 = "15-24"
    AGE_25_44 = "25-44"
    AGE_45_59 = "45-59"
    AGE_60_PLUS = "60+"


assert [m.value for m in AgeBandKey] == [b.key for b in AGE_BANDS], "keep in step with age.py"

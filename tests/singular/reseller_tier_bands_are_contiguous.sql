{#-
    The tier bands of a reseller program, as in force on any day, cover all
    MRR from 0 without a gap or an overlap: tier 0 starts at 0, each band
    ends where the next tier's starts, only the top tier is open-ended. A
    gap would leave an MRR without a tier (and every order of that month
    without a lock); an overlap would give it two. Checked on every day a
    band row starts to be in force.
-#}
with bands as (
    select * from {{ ref('reseller_tier_bands') }}
),

check_days as (
    select distinct
        bands.program_code,
        bands.valid_from as check_on
    from bands
    union
    select distinct
        bands.program_code,
        bands.valid_to as check_on
    from bands
    where bands.valid_to is not null
),

in_force as (
    select
        bands.*,
        check_days.check_on
    from check_days
    inner join bands
        on
            check_days.program_code = bands.program_code
            and {{ in_force('bands', 'check_days.check_on') }}
),

problems as (
    select
        in_force.program_code,
        in_force.check_on,
        in_force.tier,
        'the lowest band does not start at 0' as problem
    from in_force
    where
        in_force.tier = (
            select min(lowest.tier)
            from in_force as lowest
            where
                lowest.program_code = in_force.program_code
                and lowest.check_on = in_force.check_on
        )
        and in_force.mrr_from_eur <> 0
    union all
    select
        in_force.program_code,
        in_force.check_on,
        in_force.tier,
        'the next tier does not start where this band ends' as problem
    from in_force
    left join in_force as next_band
        on
            in_force.program_code = next_band.program_code
            and in_force.check_on = next_band.check_on
            and in_force.tier + 1 = next_band.tier
    where
        in_force.mrr_to_eur is not null
        and (
            next_band.tier is null
            or next_band.mrr_from_eur <> in_force.mrr_to_eur
        )
    union all
    select
        in_force.program_code,
        in_force.check_on,
        in_force.tier,
        'a band below the top tier is open-ended' as problem
    from in_force
    inner join in_force as higher
        on
            in_force.program_code = higher.program_code
            and in_force.check_on = higher.check_on
            and in_force.tier < higher.tier
    where in_force.mrr_to_eur is null
)

select * from problems

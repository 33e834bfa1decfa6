{#-
    Statistics for estimates (the tier outlook). Floating point, never money.
-#}

{#-
    The standard normal distribution function Φ(x) = (1 + erf(x / √2)) / 2,
    which no engine has portably. erf by Abramowitz and Stegun, Handbook of
    Mathematical Functions, formula 7.1.26: for z ≥ 0,
    erf(z) ≈ 1 − (a1·t + a2·t² + a3·t³ + a4·t⁴ + a5·t⁵)·exp(−z²),
    t = 1 / (1 + p·z), |error| < 1.5e-7; erf(−z) = −erf(z). So, with
    z = |x| / √2: Φ(x) = 1 − q for x ≥ 0 and q for x < 0, where
    q = (a1·t + … + a5·t⁵)·exp(−x²/2) / 2. Only +, ×, ÷, abs() and exp()
    (portable); x is clamped to [−8, 8] first, where Φ is 0 or 1 to 15
    decimals, so exp() cannot underflow (PostgreSQL raises an error) and x²
    cannot overflow. A null x gives null.
-#}
{% macro normal_cdf(x) -%}
    {%- set clamped -%}
        least(greatest(cast({{ x }} as {{ partner_payouts.type_estimate() }}), -8), 8)
    {%- endset -%}
    {%- set t -%}
        (1 / (1 + 0.3275911 * abs({{ clamped }}) / sqrt(2)))
    {%- endset -%}
    {%- set tail -%}
        (
            {{ t }} * (0.254829592 + {{ t }} * (-0.284496736
            + {{ t }} * (1.421413741 + {{ t }} * (-1.453152027
            + {{ t }} * 1.061405429))))
        ) * exp(-({{ clamped }}) * ({{ clamped }}) / 2) / 2
    {%- endset -%}
    case
        when {{ clamped }} >= 0 then 1 - {{ tail }}
        else {{ tail }}
    end
{%- endmacro %}

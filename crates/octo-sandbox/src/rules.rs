//! OCTO's checks, as pure functions of the request and the configuration.

use octo_proto::{Currency, ShopId};
use rust_decimal::Decimal;

use crate::config::{FiscalObject, SandboxConfig, Shop};
use crate::state::BasketLine;
use crate::wire::{Body, Reject};
use octo_proto::ErrorCode;

/// Compares secrets without stopping at the first difference, so the
/// answer's timing says nothing about how much of a guess was right.
fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut diff = a.len() ^ b.len();
    for (i, x) in a.iter().enumerate() {
        diff |= usize::from(x ^ b.get(i).copied().unwrap_or(0));
    }
    diff == 0
}

/// `octo_shop_id` and `octo_secret` (error 2 when wrong).
pub(crate) fn authenticate<'c>(config: &'c SandboxConfig, body: &Body) -> Result<&'c Shop, Reject> {
    authenticate_as(config, body, ErrorCode::Authorization, "Wrong secret")
}

/// `octo_shop_id` and `octo_secret`, answered with the endpoint's own code
/// and words when wrong.
pub(crate) fn authenticate_as<'c>(
    config: &'c SandboxConfig,
    body: &Body,
    code: ErrorCode,
    wrong_secret: &str,
) -> Result<&'c Shop, Reject> {
    let id = body.req_u64("octo_shop_id")?;
    let secret = body.req_text("octo_secret")?;
    match config.shop(ShopId(id)) {
        Some(shop) if same_secret(shop.secret.expose_secret(), &secret) => Ok(shop),
        Some(_) => Err(Reject::new(code, wrong_secret)),
        None => Err(Reject::new(code, format!("Unknown shop {id}"))),
    }
}

/// `method`, one of the three values both `card-tokenization.txt`
/// (`bind_card`) and `pay-with-card-token.ru.txt` allow: `bank_card`,
/// `uzcard`, `humo` (error 1 otherwise).
pub(crate) fn method(body: &Body) -> Result<String, Reject> {
    let method = body.req_text("method")?;
    if matches!(method.as_str(), "bank_card" | "uzcard" | "humo") {
        Ok(method)
    } else {
        Err(Reject::format(format!(
            "method must be bank_card, uzcard or humo, not {method}"
        )))
    }
}

/// The currency is one the sandbox accepts (error 6).
pub(crate) fn currency(config: &SandboxConfig, raw: &str) -> Result<Currency, Reject> {
    let currency = Currency::parse(raw);
    if config.currencies.contains(&currency) {
        Ok(currency)
    } else {
        let accepted: Vec<&str> = config.currencies.iter().map(Currency::as_str).collect();
        Err(Reject::new(
            ErrorCode::InvalidCurrency,
            format!(
                "Invalid currency {raw}: accepted are {}",
                accepted.join(", ")
            ),
        ))
    }
}

/// Reads the basket lines.
pub(crate) fn basket(body: &Body) -> Result<Vec<BasketLine>, Reject> {
    body.objects("basket")?
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let named = |r: Reject| Reject::format(format!("basket[{i}].{}", r.message));
            let count = item.req_u64("count").map_err(named)?;
            let strict = body.is_strict();
            let count = u32::try_from(count)
                .map_err(|_| Reject::format(format!("basket[{i}].count is too large")))?;
            if strict && count == 0 {
                return Err(Reject::format(format!(
                    "basket[{i}].count must be positive (strict)"
                )));
            }
            let price = item.req_amount("price").map_err(named)?;
            if strict && price.is_sign_negative() {
                return Err(Reject::format(format!(
                    "basket[{i}].price must not be negative (strict)"
                )));
            }
            let nds = item
                .opt_u64("nds")
                .map_err(named)?
                .map(|n| u32::try_from(n).unwrap_or(u32::MAX));
            Ok(BasketLine {
                position_desc: item.req_text("position_desc").map_err(named)?,
                count,
                price,
                spic: item.opt_text("spic").map_err(named)?,
                package_code: item.opt_text("package_code").map_err(named)?,
                nds,
                inn: item.opt_text("inn").map_err(named)?,
                pinfl: item.opt_text("pinfl").map_err(named)?,
            })
        })
        .collect()
}

/// The basket adds up to `total_sum` (error 3).
pub(crate) fn basket_total(basket: &[BasketLine], total_sum: Decimal) -> Result<(), Reject> {
    if basket.is_empty() {
        return Ok(());
    }
    let sum = basket
        .iter()
        .try_fold(Decimal::ZERO, |acc, l| {
            acc.checked_add(l.price.checked_mul(Decimal::from(l.count))?)
        })
        .ok_or_else(|| {
            Reject::format("the basket's lines add up to more than the sandbox computes with")
        })?;
    if sum == total_sum {
        Ok(())
    } else {
        Err(Reject::new(
            ErrorCode::BasketTotalMismatch,
            format!("The basket total {sum} does not match total_sum {total_sum}"),
        ))
    }
}

/// Every fiscal line names a registered fiscal object (error 403). A line
/// is fiscal when it carries any fiscal field.
pub(crate) fn fiscal(
    config: &SandboxConfig,
    shop: ShopId,
    basket: &[BasketLine],
) -> Result<(), Reject> {
    for line in basket {
        let fiscal = line.spic.is_some()
            || line.package_code.is_some()
            || line.nds.is_some()
            || line.inn.is_some()
            || line.pinfl.is_some();
        if !fiscal {
            continue;
        }
        if config.strict && line.inn.is_some() && line.pinfl.is_some() {
            return Err(Reject::format(
                "a basket line has both inn and pinfl: send one (strict)",
            ));
        }
        let known = config.fiscal_registry.iter().any(|o: &FiscalObject| {
            Some(&o.spic) == line.spic.as_ref()
                && Some(&o.package_code) == line.package_code.as_ref()
                && Some(o.nds) == line.nds
                && o.inn == line.inn
                && o.pinfl == line.pinfl
        });
        if !known {
            let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "null".into());
            return Err(Reject::new(
                ErrorCode::FiscalObjectNotRegistered,
                format!(
                    "Fiscal object with merchant ID {shop} spic : {} package code : {} nds : {} inn : {} pinfl : {} not contains in system",
                    show(&line.spic),
                    show(&line.package_code),
                    line.nds.map_or_else(|| "null".into(), |n| n.to_string()),
                    show(&line.inn),
                    show(&line.pinfl),
                ),
            ));
        }
    }
    Ok(())
}

/// A refund amount within OCTO's limits in its currency and within what is
/// left of the payment, refunds not yet succeeded included (error 3).
pub(crate) fn refund_amount(
    config: &SandboxConfig,
    currency: &Currency,
    amount: Decimal,
    left: Decimal,
) -> Result<(), Reject> {
    let refused = |why: String| Err(Reject::new(ErrorCode::InvalidRefundAmount, why));
    if amount <= Decimal::ZERO {
        return refused("The refund amount must be positive".into());
    }
    if let Some(limit) = config.refund_limit(currency) {
        if amount < limit.min {
            return refused(format!(
                "The refund amount {amount} is below the minimum of {} {currency} (1 USD)",
                limit.min
            ));
        }
        if amount > limit.max {
            return refused(format!(
                "The refund amount {amount} is above the maximum of {} {currency} (10,000,000 UZS)",
                limit.max
            ));
        }
    }
    if amount > left {
        return refused(format!(
            "The refund amount {amount} is more than the {left} left to refund"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        assert!(!same_secret("", "a"));
    }

    #[test]
    fn refund_limits() {
        let c = SandboxConfig::default();
        let uzs = Currency::Uzs;
        let d = |n: i64| Decimal::new(n, 0);
        assert!(refund_amount(&c, &uzs, d(12_600), d(50_000)).is_ok());
        assert_eq!(
            refund_amount(&c, &uzs, d(12_599), d(50_000))
                .unwrap_err()
                .code
                .as_i64(),
            3
        );
        assert_eq!(
            refund_amount(&c, &uzs, d(40_000), d(30_000))
                .unwrap_err()
                .code
                .as_i64(),
            3
        );
        assert_eq!(
            refund_amount(&c, &uzs, d(10_000_001), d(20_000_000))
                .unwrap_err()
                .code
                .as_i64(),
            3
        );
        assert!(refund_amount(&c, &Currency::Usd, d(1), d(5)).is_ok());
        // No limits written for EUR: only the remainder counts.
        assert!(refund_amount(&c, &Currency::Eur, Decimal::new(1, 2), d(5)).is_ok());
    }
}

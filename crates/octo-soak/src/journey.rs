//! What an order does, from paying at once to a declined card, and the
//! status each journey should end in. The plans (`orders.rs`), the shop's
//! beliefs (`shop.rs`) and the reconciliation all speak of it.

use octo_proto::PaymentStatus;

/// What an order does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Journey {
    /// Paid on the page at once.
    OneStage,
    /// Held, then captured whole.
    TwoStageCapture,
    /// Held, then captured in part.
    TwoStagePartial,
    /// Held, then released.
    TwoStageCancel,
    /// Paid with a bound card's token.
    Token,
    /// The card is declined.
    Declined,
}

impl Journey {
    /// Every journey.
    pub const ALL: [Journey; 6] = [
        Journey::OneStage,
        Journey::TwoStageCapture,
        Journey::TwoStagePartial,
        Journey::TwoStageCancel,
        Journey::Token,
        Journey::Declined,
    ];

    /// A short name, for reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::OneStage => "one-stage",
            Self::TwoStageCapture => "two-stage, full capture",
            Self::TwoStagePartial => "two-stage, partial capture",
            Self::TwoStageCancel => "two-stage, cancel",
            Self::Token => "token",
            Self::Declined => "declined card",
        }
    }

    /// The status the payment should end in.
    pub fn expected(self) -> PaymentStatus {
        match self {
            Self::TwoStageCancel | Self::Declined => PaymentStatus::Canceled,
            _ => PaymentStatus::Succeeded,
        }
    }

    /// Whether the money is held first and captured or released later.
    pub(crate) fn two_stage(self) -> bool {
        matches!(
            self,
            Self::TwoStageCapture | Self::TwoStagePartial | Self::TwoStageCancel
        )
    }
}

//! [`Argon2Params`] and the policy on them: OWASP's minimums for what we write, and the bounds a
//! stored hash must stay within for us to read it.

/// OWASP's Argon2id configurations (memory KiB, iterations), all with parallelism 1. Parameters at or
/// above any one row are accepted.
const OWASP_MINIMUMS: [(u32, u32); 5] = [(47_104, 1), (19_456, 2), (12_288, 3), (9_216, 4), (7_168, 5)];

/// The most a stored hash may ask of us, so a tampered row cannot exhaust memory or CPU.
pub(crate) const MAX_M_COST_KIB: u32 = 256 * 1024;
pub(crate) const MAX_T_COST: u32 = 16;
pub(crate) const MAX_P_COST: u32 = 16;
pub(crate) const MAX_OUTPUT_LEN: usize = 64;

/// Argon2id parameters for new tokens. The default is OWASP's m = 19456 KiB, t = 2, p = 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Argon2Params {
    /// Memory in KiB.
    pub m_cost_kib: u32,
    /// Iterations.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl Default for Argon2Params {
    fn default() -> Self {
        Self { m_cost_kib: 19_456, t_cost: 2, p_cost: 1 }
    }
}

impl Argon2Params {
    /// Whether these meet one of OWASP's recommended configurations.
    pub fn meets_owasp_minimum(&self) -> bool {
        self.p_cost >= 1 && OWASP_MINIMUMS.iter().any(|&(m, t)| self.m_cost_kib >= m && self.t_cost >= t)
    }

    /// Whether these stay within what a stored hash may ask of us.
    pub(crate) fn within_bounds(&self) -> bool {
        self.m_cost_kib <= MAX_M_COST_KIB && self.t_cost <= MAX_T_COST && self.p_cost <= MAX_P_COST
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owasp_policy() {
        assert!(Argon2Params::default().meets_owasp_minimum());
        assert!(Argon2Params { m_cost_kib: 47_104, t_cost: 1, p_cost: 1 }.meets_owasp_minimum());
        assert!(Argon2Params { m_cost_kib: 7_168, t_cost: 5, p_cost: 1 }.meets_owasp_minimum());
        assert!(!Argon2Params { m_cost_kib: 19_455, t_cost: 2, p_cost: 1 }.meets_owasp_minimum());
        assert!(!Argon2Params { m_cost_kib: 19_456, t_cost: 1, p_cost: 1 }.meets_owasp_minimum());
        assert!(!Argon2Params { m_cost_kib: 8, t_cost: 1, p_cost: 1 }.meets_owasp_minimum());
    }
}

//! A service with Argon2 cheap enough for tests, and the actor, scope and first token most tests need.

use scim_token_core::{
    Actor, Argon2Params, NewToken, ScimTokenService, ScimTokenServiceBuilder, Scope, TokenStore,
};

/// A builder over `store` with Argon2 at 8 KiB and one pass: tests are about behaviour, not hashing cost.
pub fn fast(store: impl TokenStore) -> ScimTokenServiceBuilder {
    ScimTokenService::builder(store)
        .argon2_params(Argon2Params { m_cost_kib: 8, t_cost: 1, p_cost: 1 })
        .danger_accept_weak_argon2_for_tests(true)
}

/// [`fast`], built with every other option at its default.
pub fn fast_service(store: impl TokenStore) -> ScimTokenService {
    fast(store).build().expect("the test service's options are valid")
}

/// The actor tests act as: `admin@example.com`.
pub fn admin() -> Actor {
    Actor::new("admin@example.com").expect("a valid actor")
}

/// The scope `name`, which must be valid.
pub fn scope(name: &str) -> Scope {
    Scope::new(name).expect("test scope names are valid")
}

/// Enables the default scope and generates its first token.
pub async fn first_token(service: &ScimTokenService) -> NewToken {
    let scope = Scope::default_scope();
    service.set_enabled(&scope, true, &admin()).await.expect("enabling the default scope");
    service.generate(&scope, &admin()).await.expect("generating the first token")
}

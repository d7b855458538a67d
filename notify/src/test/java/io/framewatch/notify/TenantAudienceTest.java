package io.framewatch.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.framewatch.proto.Alert;
import io.framewatch.proto.WebhookSubscription;
import org.junit.jupiter.api.Test;

/** Which subscriptions an alert goes to: its tenant's and the operator's, never another's. */
class TenantAudienceTest {
  private static WebhookSubscription sub(String tenant) {
    return WebhookSubscription.newBuilder().setId("s-" + tenant).setTenant(tenant).build();
  }

  private static Alert alert(String tenant) {
    return Alert.newBuilder().setAlertId("v#1").setTenant(tenant).build();
  }

  @Test
  void shouldSendATenantsAlertToItsOwnAndTheOperatorsSubscriptionsOnly() {
    assertTrue(NotifyApp.receives(sub("acme"), alert("acme")));
    assertFalse(NotifyApp.receives(sub("acme"), alert("zeta")));
    assertFalse(NotifyApp.receives(sub("acme"), alert("")),
        "an alert of no tenant is not any tenant's");
    assertTrue(NotifyApp.receives(sub(""), alert("acme")));
    assertTrue(NotifyApp.receives(sub(""), alert("")));
  }

  @Test
  void shouldGiveConfiguredSubscriptionsNoTenantSoTheyReceiveEveryTenantsAlerts() {
    WebhookSubscription configured = NotifyConfig.parseWebhooks("https://ops.example/hook#k")
        .get(0);
    assertEquals("", configured.getTenant());
    assertTrue(NotifyApp.receives(configured, alert("acme")));
    assertTrue(NotifyApp.receives(configured, alert("zeta")));
  }
}

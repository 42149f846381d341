package io.cssgateway.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IdentityRingTest {

    @Test
    void holdsTheNewestAndHandsBackTheStampsOfThoseForgottenOldestFirst() {
        List<Long> forgotten = new ArrayList<>();
        IdentityRing ring = new IdentityRing(3, forgotten::add);
        for (int i = 1; i <= 5; i++) {
            assertThat(ring.add("1:" + i, 100 + i)).isTrue();
        }
        assertThat(forgotten).containsExactly(101L, 102L);
        assertThat(ring.size()).isEqualTo(3);
        assertThat(ring.contains("1:2")).isFalse();
        assertThat(ring.contains("1:3")).isTrue();
        assertThat(ring.contains("1:5")).isTrue();
        assertThat(ring.oldestStamp(-1)).isEqualTo(103);
    }

    @Test
    void anIdentityHeldAlreadyKeepsItsPlaceAndStamp() {
        IdentityRing ring = new IdentityRing(2, stamp -> { });
        ring.add("a", 1);
        assertThat(ring.add("a", 2)).isFalse();
        ring.add("b", 3);
        assertThat(ring.oldestStamp(-1)).isEqualTo(1);
        assertThat(ring.size()).isEqualTo(2);
    }

    @Test
    void aRemovedIdentityIsNotHeldNorHandedBackWhenItsPlaceComesRound() {
        List<Long> forgotten = new ArrayList<>();
        IdentityRing ring = new IdentityRing(3, forgotten::add);
        ring.add("a", 1);
        ring.add("b", 2);
        ring.add("c", 3);
        assertThat(ring.remove("a")).isTrue();
        assertThat(ring.remove("a")).isFalse();
        assertThat(ring.contains("a")).isFalse();
        assertThat(ring.size()).isEqualTo(2);
        assertThat(ring.oldestStamp(-1)).isEqualTo(2);
        ring.add("d", 4);
        assertThat(forgotten).isEmpty();
        assertThat(ring.contains("b")).isTrue();
        assertThat(ring.contains("d")).isTrue();
    }

    @Test
    void clearForgetsAllWithoutHandingBackAndTakesNewOnes() {
        List<Long> forgotten = new ArrayList<>();
        IdentityRing ring = new IdentityRing(2, forgotten::add);
        ring.add("a", 1);
        ring.add("b", 2);
        ring.clear();
        assertThat(ring.size()).isZero();
        assertThat(ring.contains("a")).isFalse();
        assertThat(ring.oldestStamp(-1)).isEqualTo(-1);
        ring.add("c", 3);
        ring.add("a", 4);
        assertThat(ring.contains("a")).isTrue();
        assertThat(forgotten).isEmpty();
    }

    @Test
    void answersAsAnInsertionOrderedSetWouldOverAMillionRandomSteps() {
        // adds, removes and lookups over few distinct identities, so that the index's probe chains collide, wrap
        // round and are shifted back often; a linked map of the same capacity says what must be held
        int capacity = 500;
        List<Long> forgotten = new ArrayList<>();
        IdentityRing ring = new IdentityRing(capacity, forgotten::add);
        LinkedHashMap<String, Long> model = new LinkedHashMap<>();
        List<Long> modelForgotten = new ArrayList<>();
        Random random = new Random(35);
        // the ring keeps a removed identity's place until it is the oldest: the model counts those places too
        List<String> places = new ArrayList<>();
        for (long step = 0; step < 1_000_000; step++) {
            String identity = "1:" + random.nextInt(2_000);
            int what = random.nextInt(10);
            if (what < 6) {
                boolean added = !model.containsKey(identity);
                assertThat(ring.add(identity, step)).isEqualTo(added);
                if (added) {
                    if (places.size() == capacity) {
                        String oldest = places.remove(0);
                        if (oldest != null) {
                            modelForgotten.add(model.remove(oldest));
                        }
                    }
                    model.put(identity, step);
                    places.add(identity);
                }
            } else if (what < 7) {
                boolean held = model.remove(identity) != null;
                assertThat(ring.remove(identity)).isEqualTo(held);
                if (held) {
                    places.set(places.indexOf(identity), null);
                }
            } else {
                assertThat(ring.contains(identity)).as("step %d, %s", step, identity)
                        .isEqualTo(model.containsKey(identity));
            }
        }
        assertThat(ring.size()).isEqualTo(model.size());
        assertThat(forgotten).isEqualTo(modelForgotten);
        assertThat(ring.oldestStamp(-1)).isEqualTo(model.values().iterator().next());
    }

    @Test
    void aCapacityBelowOneIsRefused() {
        assertThatThrownBy(() -> new IdentityRing(0, stamp -> { }))
                .hasMessage("the de-duplication capacity must be at least 1, got 0");
    }
}

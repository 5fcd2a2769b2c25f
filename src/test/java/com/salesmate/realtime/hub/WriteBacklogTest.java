package com.salesmate.realtime.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class WriteBacklogTest {

    @Test
    void roomAtOnceUpToTheLimitAndNoneAfterTheWaitPastIt() throws Exception {
        WriteBacklog backlog = new WriteBacklog(100);
        backlog.queued(100);
        assertThat(backlog.awaitRoom(Duration.ZERO)).as("at the limit").isTrue();
        backlog.queued(1);
        long started = System.nanoTime();
        assertThat(backlog.awaitRoom(Duration.ofMillis(200))).as("one past it, nobody writing").isFalse();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(190);
        assertThat(backlog.size()).isEqualTo(101);
    }

    @Test
    void everyWaiterIsLetThroughWhenTheLoopsCatchUp() throws Exception {
        WriteBacklog backlog = new WriteBacklog(10);
        backlog.queued(5_000);
        List<CompletableFuture<Boolean>> waiters = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        CountDownLatch started = new CountDownLatch(8);
        for (int i = 0; i < 8; i++) {
            waiters.add(CompletableFuture.supplyAsync(() -> {
                started.countDown();
                try {
                    return backlog.awaitRoom(Duration.ofSeconds(20));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, threads));
        }
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(100);
        assertThat(waiters).as("waiting").noneMatch(CompletableFuture::isDone);
        for (int i = 0; i < 498; i++) { // as loops write, in batches, from another thread
            backlog.written(10);
        }
        Thread.sleep(100);
        assertThat(waiters).as("20 left: still 10 over the limit").noneMatch(CompletableFuture::isDone);
        backlog.written(10);
        for (CompletableFuture<Boolean> waiter : waiters) {
            assertThat(waiter.get(5, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(backlog.size()).as("at the limit").isEqualTo(10);
        threads.shutdown();
    }

    @Test
    void aLimitBelowOneIsRefused() {
        assertThatThrownBy(() -> new WriteBacklog(0)).isInstanceOf(IllegalArgumentException.class);
    }
}

@testable import NetLayers
import Synchronization
import XCTest

final class WorkerTeamTests: XCTestCase {
    /// Every part runs exactly once per job, on awake and on sleeping helpers, and `run` returns only after all.
    func testEveryPartRunsOncePerJob() {
        for size in [1, 2, 3] {
            let team = WorkerTeam(size: size)
            let counts = Mutex([Int](repeating: 0, count: size))
            for job in 0..<2_000 {
                if job == 1_000 { usleep(20_000) }         // long enough for the helpers to go to sleep
                team.run { w in counts.withLock { $0[w] += 1 } }
                XCTAssertEqual(counts.withLock { $0.reduce(0, +) }, size * (job + 1), "size \(size), job \(job)")
            }
            XCTAssertEqual(counts.withLock { $0 }, [Int](repeating: 2_000, count: size))
        }
    }

    /// `Workers` runs the same parts whichever way it splits.
    func testWorkersRunEveryPart() {
        let team = WorkerTeam(size: 2)
        for workers in [Workers.one, .dispatch(3), .team(team)] {
            let seen = Mutex(Set<Int>())
            workers.run { w in _ = seen.withLock { $0.insert(w) } }
            XCTAssertEqual(seen.withLock { $0 }, Set(0..<workers.count))
        }
    }
}

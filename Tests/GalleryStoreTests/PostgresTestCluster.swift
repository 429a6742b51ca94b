import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The throw-away PostgreSQL cluster of a test class: started in the class's `setUp`, stopped (and its folder
/// removed) in its `tearDown`; while it runs, `StoreTestData.location(.postgres, …)` gives databases in it and
/// `PGPASSWORD` holds its superuser's password (so `GalleryStores.open` of its URLs logs in, as a user's would).
enum PostgresTestCluster {
    /// A new cluster, or nil (with the reason printed by `TestPaths.skipReason`) when PostgreSQL's binaries are missing
    /// or the cluster cannot start.
    static func start(for testClass: String) -> PostgresServer? {
        do {
            let server = try PostgresServer.start()
            setenv("PGPASSWORD", server.password, 1)
            StoreTestData.postgres = server
            return server
        } catch {
            TestPaths.skipReason("\(testClass): the PostgreSQL store is not tested: \(error)")
            return nil
        }
    }

    /// Stops `server` and clears what `start` set.
    static func stop(_ server: PostgresServer?) {
        server?.stop()
        StoreTestData.postgres = nil
        unsetenv("PGPASSWORD")
    }
}

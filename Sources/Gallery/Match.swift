/// One candidate identity of a search, as decided by the scorer.
public struct Match: Sendable, Equatable {
    /// The identity's name.
    public let name: String
    /// The identity's index in the gallery (enrolment order; changes when earlier identities are removed).
    public let identityIndex: Int
    /// P(same person | query, the identity's nearest embedding) from the scorer, in [0, 1].
    public let probability: Float
    /// Euclidean distance ‖q − g‖ to the identity's nearest embedding (raw embedding units; dlib's
    /// same-person rule of thumb is ≲ 0.6), computed exactly from the two vectors.
    public let distance: Float
    /// `probability >= scorer.threshold`.
    public let isAccepted: Bool

    public init(name: String, identityIndex: Int, probability: Float, distance: Float, isAccepted: Bool) {
        self.name = name
        self.identityIndex = identityIndex
        self.probability = probability
        self.distance = distance
        self.isAccepted = isAccepted
    }
}

/// The answer of an open-set search for one query.
public struct SearchResult: Sendable, Equatable {
    /// The K nearest identities (fewer when the gallery holds fewer), ordered by probability descending, then
    /// distance ascending, then identity index ascending.
    public let matches: [Match]
    /// The name of `matches[0]` when it is accepted (probability ≥ threshold), else nil: "unknown person".
    public var decision: String? { matches.first.flatMap { $0.isAccepted ? $0.name : nil } }
    /// The best candidate whether or not it is accepted.
    public var best: Match? { matches.first }

    public init(matches: [Match]) { self.matches = matches }
}

/// One of the K nearest identities of a query by distance alone (no scorer).
public struct Neighbour: Sendable, Equatable {
    /// The identity's name.
    public let name: String
    /// The identity's index in the gallery.
    public let identityIndex: Int
    /// The row of the identity's nearest embedding in the search matrix.
    public let row: Int
    /// Exact Euclidean distance ‖q − g_row‖.
    public let distance: Float
}

import Workflows

/// The API described as an OpenAPI 3.0 document, written out as data (served at `GET /v1/openapi.json`). Every route
/// the server registers is here with its parameters, request body and responses; a test checks that the paths and
/// methods equal the router's.
enum OpenAPIDocument {
    static let document: JSONValue = .object([
        ("openapi", .string("3.0.3")),
        ("info", .object([
            ("title", .string("pairmatch")),
            ("version", .string("1")),
            ("description", .string("Face verification and identification. Images are multipart/form-data file parts or base64 strings in JSON. Errors are {\"error\": {\"code\", \"message\"}}.")),
        ])),
        ("paths", .object([
            ("/v1/compare", .object([("post", op(
                "Are the faces of images a and b the same person?",
                parameters: [query("chips", .string("integer"), "1 adds each side's aligned 150×150 chip as a PNG data URL")],
                body: imageBody([("a", "first image"), ("b", "second image")]),
                responses: [("200", "The comparison", ref("Comparison"))] + imageErrors))])),
            ("/v1/compare/embeddings", .object([("post", op(
                "Compare two embeddings given directly.",
                body: jsonBody(object(["a": floats, "b": floats], required: ["a", "b"])),
                responses: [("200", "The comparison", ref("Comparison"))] + jsonErrors))])),
            ("/v1/embed", .object([("post", op(
                "Every face of an image with its embedding.",
                body: imageBody([("image", "the image")]),
                responses: [("200", "The faces, largest first", ref("Faces"))] + imageErrors))])),
            ("/v1/detect", .object([("post", op(
                "Every face of an image: box, score, landmarks.",
                body: imageBody([("image", "the image")]),
                responses: [("200", "The faces, largest first", ref("Faces"))] + imageErrors))])),
            ("/v1/identify", .object([("post", op(
                "Who is in the image? Every face against the gallery (open set: below the threshold, unknown).",
                parameters: [query("top", .string("integer"), "candidates per face, 1–100 (default 3)")],
                body: imageBody([("image", "the image")]),
                responses: [("200", "Each face with its matches and decision", ref("Identification"))] + imageErrors))])),
            ("/v1/identify/embeddings", .object([("post", op(
                "Embeddings given directly against the gallery.",
                body: jsonBody(object(["embeddings": array(floats), "top": integer], required: ["embeddings"])),
                responses: [("200", "Each embedding with its matches and decision", ref("Identification"))] + jsonErrors))])),
            ("/v1/verify", .object([("post", op(
                "Is the image's face the enrolled person name?",
                body: imageBody([("image", "the image")], text: ["name": "the enrolled name"]),
                responses: [("200", "The verification", ref("Verification"))] + imageErrors + [error("404", "No such person")]))])),
            ("/v1/verify/embeddings", .object([("post", op(
                "Is this embedding the enrolled person name?",
                body: jsonBody(object(["name": string, "embedding": floats], required: ["name", "embedding"])),
                responses: [("200", "The verification", ref("Verification"))] + jsonErrors + [error("404", "No such person")]))])),
            ("/v1/people", .object([
                ("post", op(
                    "Enrol a person from one or more photos (each must show a face; nothing is enrolled otherwise). Needs an API key.",
                    body: enrolBody,
                    responses: [("201", "The enrolment", ref("Enrolment"))] + imageErrors + [error("409", "The gallery refused the change")],
                    write: true)),
                ("get", op("The enrolled people.", responses: [("200", "The people", ref("People"))] + readErrors)),
            ])),
            ("/v1/people/{name}", .object([
                ("get", op("One enrolled person.", parameters: [personName],
                           responses: [("200", "The person", ref("Person"))] + readErrors + [error("400", "Bad name"), error("404", "No such person")])),
                ("delete", op("Remove a person. Needs an API key.", parameters: [personName],
                              responses: [("200", "Removed", object(["name": string, "deleted": .object([("type", .string("boolean"))])], required: ["name", "deleted"]))]
                                  + readErrors + [error("400", "Bad name"), error("404", "No such person")], write: true)),
            ])),
            ("/v1/openapi.json", .object([("get", op("This document.", responses: [("200", "OpenAPI 3.0 document", .object([("type", .string("object"))]))], open: true))])),
            ("/healthz", .object([("get", op("Liveness: 200 while the process runs.", responses: [("200", "Alive", status)], open: true))])),
            ("/readyz", .object([("get", op("Readiness: 200 once models and gallery are loaded.",
                                            responses: [("200", "Ready", status), ("503", "Loading or shutting down", status)], open: true))])),
            ("/metrics", .object([("get", op("Prometheus metrics (text exposition format).",
                                             responses: [("200", "Metrics", .object([("type", .string("string"))]))] + readErrors, type: "text/plain"))])),
            ("/", .object([("get", op("The web page.", responses: [("200", "HTML", .object([("type", .string("string"))]))], open: true, type: "text/html"))])),
            ("/app.js", .object([("get", op("The web page's script.", responses: [("200", "JavaScript", .object([("type", .string("string"))]))], open: true, type: "text/javascript"))])),
            ("/style.css", .object([("get", op("The web page's style sheet.", responses: [("200", "CSS", .object([("type", .string("string"))]))], open: true, type: "text/css"))])),
        ])),
        ("components", .object([
            ("securitySchemes", .object([
                ("bearer", .object([("type", .string("http")), ("scheme", .string("bearer"))])),
                ("apiKey", .object([("type", .string("apiKey")), ("in", .string("header")), ("name", .string("x-api-key"))])),
            ])),
            ("schemas", schemas),
        ])),
    ])

    // MARK: Pieces

    private static let string: JSONValue = .object([("type", .string("string"))])
    private static let integer: JSONValue = .object([("type", .string("integer"))])
    private static let number: JSONValue = .object([("type", .string("number"))])
    private static let floats: JSONValue = array(number)
    private static let box: JSONValue = .object([("type", .string("array")), ("items", integer), ("minItems", .int(4)), ("maxItems", .int(4)),
                                                 ("description", .string("[left, top, right, bottom], inclusive pixels"))])
    private static let status: JSONValue = object(["status": string], required: ["status"])
    private static let personName: JSONValue = .object([("name", .string("name")), ("in", .string("path")), ("required", .bool(true)),
                                                        ("schema", string), ("description", .string("the enrolled name, percent-encoded"))])

    private static func array(_ items: JSONValue) -> JSONValue { .object([("type", .string("array")), ("items", items)]) }
    private static func ref(_ name: String) -> JSONValue { .object([("$ref", .string("#/components/schemas/\(name)"))]) }

    private static func object(_ properties: KeyValuePairs<String, JSONValue>, required: [String] = []) -> JSONValue {
        var o: [(String, JSONValue)] = [("type", .string("object")), ("properties", .object(properties.map { ($0.key, $0.value) }))]
        if !required.isEmpty { o.append(("required", .array(required.map(JSONValue.string)))) }
        return .object(o)
    }

    private static func query(_ name: String, _ type: JSONValue, _ description: String) -> JSONValue {
        .object([("name", .string(name)), ("in", .string("query")), ("required", .bool(false)),
                 ("schema", .object([("type", type)])), ("description", .string(description))])
    }

    /// An operation; `write` needs a key always, `open` never, others when the server requires keys for reads. `type`: the
    /// media type of the 2xx answers (errors are always JSON).
    private static func op(_ summary: String, parameters: [JSONValue] = [], body: JSONValue? = nil,
                           responses: [(String, String, JSONValue)], write: Bool = false, open: Bool = false,
                           type: String = "application/json") -> JSONValue {
        var o: [(String, JSONValue)] = [("summary", .string(summary))]
        if !parameters.isEmpty { o.append(("parameters", .array(parameters))) }
        if let body { o.append(("requestBody", body)) }
        o.append(("responses", .object(responses.map { code, description, schema in
            let media = code.hasPrefix("2") ? type : "application/json"
            return (code, .object([("description", .string(description)), ("content", .object([(media, .object([("schema", schema)]))]))]))
        })))
        if !open { o.append(("security", .array([.object([("bearer", .array([]))]), .object([("apiKey", .array([]))])] + (write ? [] : [.object([])])))) }
        return .object(o)
    }

    private static func error(_ code: String, _ description: String) -> (String, String, JSONValue) { (code, description, ref("Error")) }

    private static let readErrors = [error("401", "Missing or wrong API key (WWW-Authenticate: Bearer)"), error("503", "Busy (Retry-After: 1) or not ready")]
    private static let jsonErrors = [error("400", "Malformed JSON, a missing field or a bad embedding"), error("413", "Body over the limit"),
                                     error("415", "Not application/json")] + readErrors
    private static let imageErrors = [error("400", "Malformed body, a missing field or invalid base64"), error("413", "Body or image over the limit"),
                                      error("415", "Unsupported content type, or not an image"), error("422", "No face found (the message names the image)")]
                                     + readErrors

    /// Image fields as multipart file parts or base64 JSON strings.
    private static func imageBody(_ images: [(String, String)], text: KeyValuePairs<String, String> = [:]) -> JSONValue {
        let required = images.map(\.0) + text.map(\.key)
        let multipart = images.map { ($0.0, JSONValue.object([("type", .string("string")), ("format", .string("binary")), ("description", .string($0.1))])) }
            + text.map { ($0.key, JSONValue.object([("type", .string("string")), ("description", .string($0.value))])) }
        let json = images.map { ($0.0, JSONValue.object([("type", .string("string")), ("format", .string("byte")), ("description", .string("\($0.1), base64"))])) }
            + text.map { ($0.key, JSONValue.object([("type", .string("string")), ("description", .string($0.value))])) }
        return body(multipart: multipart, json: json, required: required)
    }

    private static let enrolBody: JSONValue = body(
        multipart: [("name", string), ("image", .object([("type", .string("string")), ("format", .string("binary")), ("description", .string("a photo; repeat the part for more"))])),
                    ("metadata", string), ("replace", .object([("type", .string("boolean"))]))],
        json: [("name", string), ("images", array(.object([("type", .string("string")), ("format", .string("byte"))]))),
               ("metadata", string), ("replace", .object([("type", .string("boolean"))]))],
        required: ["name"])

    private static func body(multipart: [(String, JSONValue)], json: [(String, JSONValue)], required: [String]) -> JSONValue {
        func schema(_ p: [(String, JSONValue)], _ r: [String]) -> JSONValue {
            .object([("type", .string("object")), ("properties", .object(p)), ("required", .array(r.map(JSONValue.string)))])
        }
        return .object([("required", .bool(true)), ("content", .object([
            ("multipart/form-data", .object([("schema", schema(multipart, required))])),
            ("application/json", .object([("schema", schema(json, required.map { $0 == "image" ? "images" : $0 }))])),
        ]))])
    }

    private static func jsonBody(_ schema: JSONValue) -> JSONValue {
        .object([("required", .bool(true)), ("content", .object([("application/json", .object([("schema", schema)]))]))])
    }

    private static let side: JSONValue = object(["path": string, "box": box, "faces_found": integer, "face": integer, "width": integer,
                                                 "height": integer, "chip": string])
    private static let match: JSONValue = object(["name": string, "probability": number, "distance": number])
    private static let face: JSONValue = object(["box": box, "score": number, "landmarks": array(array(integer)), "embedding": floats])

    private static let schemas: JSONValue = .object([
        ("Error", object(["error": object(["code": string, "message": string], required: ["code", "message"])], required: ["error"])),
        ("Comparison", object(["probability": number, "distance": number, "same": .object([("type", .string("boolean"))]), "threshold": number,
                               "a": side, "b": side], required: ["probability", "distance", "same", "threshold"])),
        ("Faces", object(["path": string, "width": integer, "height": integer, "faces": array(face)], required: ["path", "faces"])),
        ("Identification", object(["path": string, "width": integer, "height": integer,
                                   "faces": array(object(["box": box, "matches": array(match), "decision": string]))], required: ["path", "faces"])),
        ("Verification", object(["name": string, "probability": number, "distance": number, "same": .object([("type", .string("boolean"))]),
                                 "threshold": number, "path": string, "box": box, "faces_found": integer])),
        ("Person", object(["name": string, "embeddings": integer, "metadata": string], required: ["name", "embeddings"])),
        ("People", object(["count": integer, "people": array(ref("Person"))], required: ["count", "people"])),
        ("Enrolment", object(["name": string, "outcome": string, "embeddings": integer,
                              "photos": array(object(["path": string, "faces_found": integer, "box": box]))], required: ["name", "outcome"])),
    ])
}

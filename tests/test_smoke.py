def test_city_fixture_sets_jurisdictions(city, users):
    assert city.dept_a.jurisdiction == city.city
    assert city.dept_x1.jurisdiction == city.county_x
    assert city.agency_a.jurisdiction == city.city


def test_editor_sees_chinese_home(login, users):
    client = login(users.editor_a)
    response = client.get("/office/")
    assert response.status_code == 200
